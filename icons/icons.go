// Package icons holds Facteur's bundled icons as Fyne resources: the application
// icon (icons/facteur.svg, with a PNG rendering for desktop bundles and window
// managers that do not draw SVG).
package icons

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed facteur.png
var appPNG []byte

//go:embed facteur.svg
var appSVG []byte

// App is the application icon as a PNG (512x512).
var App = fyne.NewStaticResource("facteur.png", appPNG)

// AppSVG is the application icon as scalable vector graphics.
var AppSVG = fyne.NewStaticResource("facteur.svg", appSVG)
