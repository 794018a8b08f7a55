package view

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"

	"github.com/netsimlab/netsim/internal/atomicfile"
)

// The page's parts, written for netsim: no library, no network.
var (
	//go:embed assets/page.html
	pageHTML string
	//go:embed assets/view.css
	pageCSS string
	//go:embed assets/view.js
	pageJS string
)

var pageTemplate = template.Must(template.New("page").Parse(pageHTML))

// WriteHTML writes the page to w.
func (p *Page) WriteHTML(w io.Writer) error {
	// encoding/json escapes <, > and & as \u003c..., so no string from the
	// trace (a host name, an option) can close the script element that
	// carries the data; the script only ever sets textContent.
	data, err := json.Marshal(&p.data)
	if err != nil {
		return fmt.Errorf("view: encode data: %w", err)
	}
	title := "netsim view"
	if n := p.data.Meta.Scenario.Name; n != "" {
		title = n + " · netsim view"
	} else if p.data.Meta.Dir != "" {
		title = p.data.Meta.Dir + " · netsim view"
	}
	return pageTemplate.Execute(w, struct {
		Title string
		CSS   template.CSS
		JS    template.JS
		Data  template.JS
		// Packets is URL-safe base64: nothing in it can end the element.
		Packets template.JS
	}{title, template.CSS(pageCSS), template.JS(pageJS), template.JS(data), template.JS(p.packets)})
}

// WriteFile writes the page to path whole or not at all.
func (p *Page) WriteFile(path string) error {
	var b bytes.Buffer
	if err := p.WriteHTML(&b); err != nil {
		return err
	}
	return atomicfile.Write(path, b.Bytes())
}
