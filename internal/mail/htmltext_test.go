package mail_test

import (
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/mail"
)

func TestTextFromHTML(t *testing.T) {
	in := `<html><head><style>p { color: red }</style><script>alert(1)</script></head><body>
<h1>Welcome to  SmartLamp</h1>
<p>Your code is <b>123456</b>.<br>It is valid for 24&nbsp;hours &amp; one use.</p>
<p><a href="https://smartlamp.example/help">Help</a> <a href="https://smartlamp.example">https://smartlamp.example</a></p>
<!-- a comment -->
</body></html>`
	want := "Welcome to SmartLamp\n\nYour code is 123456.\nIt is valid for 24 hours & one use.\n\nHelp (https://smartlamp.example/help) https://smartlamp.example"
	if got := mail.TextFromHTML(in); got != want {
		t.Fatalf("TextFromHTML =\n%q\nwant\n%q", got, want)
	}
}

func TestComposeHTMLMessage(t *testing.T) {
	m, err := mail.Compose(mail.Content{
		Kind: mail.SignUpCode, To: "ann@example.com", PoolName: "SmartLamp", Code: "654321",
		Subject: "Welcome", HTMLMessage: "<p>Your code: <b>{####}</b></p>", Message: "ignored {####}",
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.HTML != "<p>Your code: <b>654321</b></p>" || m.Text != "Your code: 654321" || m.Subject != "Welcome" {
		t.Fatalf("message = %q / %q / %q", m.Subject, m.Text, m.HTML)
	}
	if strings.Contains(m.Text, "ignored") {
		t.Fatal("Message used over HTMLMessage")
	}
}
