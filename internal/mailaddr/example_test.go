package mailaddr_test

import (
	"fmt"

	"facteur/internal/mailaddr"
)

func ExampleParse() {
	a, err := mailaddr.Parse("<@domaine2:user1@domaine3>")
	if err != nil {
		panic(err)
	}
	fmt.Println(a.Addr(), a.Route)
	for _, n := range mailaddr.Explain(a) {
		fmt.Println(n.Form, n.Deprecated, n.Ref)
	}
	// Output:
	// user1@domaine3 [domaine2]
	// source-route true RFC 1123 §5.2.19; RFC 5321 §3.6.1, Appendix C
}

func ExampleParseList() {
	list, _ := mailaddr.ParseList(`jean@jussieu.fr (Jean Breille), "Jacques Selere" <jacques @ urec.fr>`)
	for _, a := range list {
		fmt.Println(a)
	}
	// Output:
	// Jean Breille <jean@jussieu.fr>
	// Jacques Selere <jacques@urec.fr>
}

func ExampleParsePath() {
	p, _ := mailaddr.ParsePath("MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME")
	fmt.Println(p, p.Params["SIZE"], p.Params["BODY"])
	// Output:
	// <a@b.example> 100 8BITMIME
}

func ExampleAddress_ASCIIDomain() {
	a, _ := mailaddr.Parse("info@bücher.ch")
	d, _ := a.ASCIIDomain()
	fmt.Println(d, a.NeedsSMTPUTF8())
	// Output:
	// xn--bcher-kva.ch false
}
