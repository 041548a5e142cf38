//go:build windows

package corpus

const infoSep = "!"
