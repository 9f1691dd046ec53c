package pool_test

import (
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/pool"
)

// TestValidateRedirectURL pins the rules for CallbackURLs and LogoutURLs:
// an absolute URL of at most 1024 characters, no fragment, https except
// plain http on localhost, 127.0.0.1 and [::1], custom app schemes allowed,
// script-capable schemes refused.
func TestValidateRedirectURL(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		wantErr string // substring of the error; "" means accepted
	}{
		// Accepted.
		{"https", "https://example.com/cb", ""},
		{"https with port", "https://example.com:8443/cb", ""},
		{"https default port", "https://example.com:443/cb", ""},
		{"https highest port", "https://example.com:65535/cb", ""},
		{"query string", "https://example.com/cb?tenant=a&x=1", ""},
		{"encoded hash in path is not a fragment", "https://example.com/cb%23x", ""},
		{"uppercase scheme and host", "HTTPS://EXAMPLE.COM/cb", ""},
		{"trailing dot host", "https://example.com./cb", ""},
		{"punycode host", "https://xn--bcher-kva.example/cb", ""},
		{"IDN host", "https://bücher.example/cb", ""},
		{"http localhost", "http://localhost/cb", ""},
		{"http localhost port", "http://localhost:3000/cb", ""},
		{"http 127.0.0.1 port", "http://127.0.0.1:8080/cb", ""},
		{"http [::1]", "http://[::1]/cb", ""},
		{"http [::1] port", "http://[::1]:3000/cb", ""},
		{"custom app scheme", "myapp://callback", ""},
		{"custom app scheme without slashes", "com.example.app:/oauth2redirect", ""},
		{"Alexa redirect", "https://pitangui.amazon.com/api/skill/link/M2AAAAAAAAAAAA", ""},
		{"exactly 1024 characters", "https://example.com/" + strings.Repeat("a", 1024-len("https://example.com/")), ""},

		// Length.
		{"empty", "", "1-1024 characters"},
		{"1025 characters", "https://example.com/" + strings.Repeat("a", 1025-len("https://example.com/")), "1-1024 characters"},

		// http off loopback.
		{"http elsewhere", "http://example.com/cb", "must use https"},
		{"localhost as a label of another host", "http://localhost.evil.com/cb", "must use https"},
		{"localhost as userinfo", "http://localhost@evil.com/cb", "user information"},
		{"loopback as a label of another host", "http://127.0.0.1.evil.com/cb", "must use https"},
		{"uppercase LOCALHOST", "http://LOCALHOST/cb", "must use https"},
		{"uppercase HTTP scheme off loopback", "HTTP://example.com/cb", "must use https"},
		{"localhost trailing dot", "http://localhost./cb", "must use https"},
		{"other loopback address", "http://127.0.0.2/cb", "must use https"},
		{"IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/cb", "must use https"},
		{"short loopback form", "http://127.1/cb", "must use https"},
		{"hex loopback", "http://0x7f.0.0.1/cb", "must use https"},
		{"decimal loopback", "http://2130706433/cb", "must use https"},
		{"loopback with zone", "http://[::1%25eth0]/cb", "must use https"},
		{"fullwidth localhost", "http://ｌｏｃａｌｈｏｓｔ/cb", "must use https"},
		{"http without host", "http://", "must use https"},
		{"http opaque", "http:localhost", "must use https"},

		// https without a host.
		{"https without host", "https://", "has no host"},
		{"https single slash", "https:/evil.com/cb", "has no host"},

		// Not absolute, not a URL.
		{"relative", "/cb", "not an absolute URL"},
		{"scheme-relative", "//evil.com/cb", "not an absolute URL"},
		{"bad escape", "https://example.com/%zz", "not a URL"},
		{"bad port", "https://example.com:abc/cb", "not a URL"},
		{"backslash userinfo", `https://evil.com\@good.com/cb`, "not a URL"},
		{"fullwidth scheme", "ｈttps://example.com/cb", "not a URL"},

		// Fragments.
		{"fragment", "https://example.com/cb#x", "fragment"},
		{"empty fragment", "https://example.com/cb#", "fragment"},

		// Script-capable and local schemes.
		{"javascript", "javascript:alert(1)", "forbidden scheme"},
		{"javascript uppercase", "JAVASCRIPT:alert(1)", "forbidden scheme"},
		{"javascript mixed case", "JavaScript:alert(1)", "forbidden scheme"},
		{"javascript with slashes", "javascript://example.com/%0aalert(1)", "forbidden scheme"},
		{"data", "data:text/html,<script>alert(1)</script>", "forbidden scheme"},
		{"vbscript", "vbscript:msgbox(1)", "forbidden scheme"},
		{"file", "file:///etc/passwd", "forbidden scheme"},

		// White space and control characters.
		{"space", "https://example.com/c b", "white space"},
		{"tab", "https://example.com/\tcb", "white space"},
		{"newline", "https://example.com/cb\n", "white space"},
		{"carriage return", "https://example.com/cb\r", "white space"},
		{"leading space", " https://example.com/cb", "white space"},
		{"whitespace splitting javascript", "java\nscript:alert(1)", "white space"},
		{"NUL", "https://example.com/\x00", "not a URL"},
		{"DEL", "https://example.com/\x7f", "not a URL"},
		{"vertical tab", "https://example.com/c\vb", "white space"},
		{"no-break space", "https://example.com/c\u00a0b", "white space"},
		{"ideographic space", "https://example.com/c\u3000b", "white space"},
		{"line separator", "https://example.com/c\u2028b", "white space"},
		{"zero-width space", "https://example.com/c\u200bb", "invisible formatting"},
		{"right-to-left override", "https://example.com/\u202egnp.cb", "invisible formatting"},
		{"zero-width joiner in host", "https://exa\u200dmple.com/cb", "invisible formatting"},
		{"C1 control", "https://example.com/c\u0085b", "white space"},

		// Credentials and ports.
		{"userinfo", "https://a@b/cb", "user information"},
		{"user and password", "https://user:secret@example.com/cb", "user information"},
		{"userinfo before localhost", "http://evil.com@localhost/cb", "user information"},
		{"empty userinfo", "https://@example.com/cb", "user information"},
		{"port above 65535", "https://example.com:99999/cb", "port"},
		{"port zero", "http://localhost:0/cb", "port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := pool.ValidateRedirectURL(tt.url)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("ValidateRedirectURL(%q) = %v, want accepted", tt.url, err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("ValidateRedirectURL(%q) accepted, want an error containing %q", tt.url, tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("ValidateRedirectURL(%q) = %q, want it to contain %q", tt.url, err, tt.wantErr)
			}
		})
	}
}
