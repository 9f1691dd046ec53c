package e2e_test

import (
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/locales"
)

// language is one language the hosted pages are checked in, with the
// texts a user sees, written out here rather than read from the catalogs
// so that a broken catalog fails the test.
type language struct {
	name      string // subtest and screenshot name
	accept    string // the phone's languages (Chromium adds the q-values)
	htmlLang  string // the pages' <html lang>
	dir       string // the pages' <html dir>
	incorrect string // the inline error for a wrong password
	subject   string // part of the verification mail's subject
	signIn    string // the sign-in button
	// continueWith is a federation button's label, %s the provider.
	continueWith string
}

var languages = []language{
	{name: "en", accept: "en-US,en", htmlLang: "en", dir: "ltr", incorrect: "Incorrect username or password.", subject: "verification code", signIn: "Sign in", continueWith: "Continue with %s"},
	{name: "de", accept: "de-DE,de", htmlLang: "de", dir: "ltr", incorrect: "Benutzername oder Passwort ist falsch.", subject: "Ihr Bestätigungscode für", signIn: "Anmelden", continueWith: "Weiter mit %s"},
	{name: "fr", accept: "fr-FR,fr", htmlLang: "fr", dir: "ltr", incorrect: "Nom d'utilisateur ou mot de passe incorrect.", subject: "Votre code de vérification", signIn: "Se connecter", continueWith: "Continuer avec %s"},
	{name: "es", accept: "es-MX,es", htmlLang: "es", dir: "ltr", incorrect: "Nombre de usuario o contraseña incorrectos.", subject: "Su código de verificación de", signIn: "Iniciar sesión", continueWith: "Continuar con %s"},
	{name: "it", accept: "it-IT,it", htmlLang: "it", dir: "ltr", incorrect: "Nome utente o password non corretti.", subject: "Il suo codice di verifica di", signIn: "Accedi", continueWith: "Continua con %s"},
	{name: "ja", accept: "ja-JP,ja", htmlLang: "ja", dir: "ltr", incorrect: "ユーザー名またはパスワードが正しくありません。", subject: "の確認コード", signIn: "サインイン", continueWith: "%s で続行"},
	{name: "pt-BR", accept: "pt-BR,pt", htmlLang: "pt-BR", dir: "ltr", incorrect: "Nome de usuário ou senha incorretos.", subject: "Seu código de verificação de", signIn: "Entrar", continueWith: "Continuar com %s"},
	{name: "hi", accept: "hi-IN,hi", htmlLang: "hi", dir: "ltr", incorrect: "उपयोगकर्ता नाम या पासवर्ड गलत है।", subject: "सत्यापन कोड", signIn: "साइन इन करें", continueWith: "%s के साथ जारी रखें"},
	{name: "ar", accept: "ar-SA,ar", htmlLang: "ar", dir: "rtl", incorrect: "اسم المستخدم أو كلمة المرور غير صحيحة.", subject: "رمز التحقق الخاص بك في", signIn: "تسجيل الدخول", continueWith: "المتابعة باستخدام \u2068%s\u2069"},
	{name: "nl", accept: "nl-NL,nl", htmlLang: "nl", dir: "ltr", incorrect: "Onjuiste gebruikersnaam of onjuist wachtwoord.", subject: "Je verificatiecode voor", signIn: "Aanmelden", continueWith: "Doorgaan met %s"},
	{name: "id", accept: "id-ID,id", htmlLang: "id", dir: "ltr", incorrect: "Nama pengguna atau kata sandi salah.", subject: "Kode verifikasi", signIn: "Masuk", continueWith: "Lanjutkan dengan %s"},
	{name: "ko", accept: "ko-KR,ko", htmlLang: "ko", dir: "ltr", incorrect: "사용자 이름 또는 비밀번호가 올바르지 않습니다.", subject: "인증 코드", signIn: "로그인", continueWith: "%s(으)로 계속하기"},
	{name: "zh-CN", accept: "zh-CN,zh", htmlLang: "zh-CN", dir: "ltr", incorrect: "用户名或密码错误。", subject: "验证码", signIn: "登录", continueWith: "使用 %s 继续"},
	{name: "zh-TW", accept: "zh-TW,zh", htmlLang: "zh-TW", dir: "ltr", incorrect: "使用者名稱或密碼不正確。", subject: "驗證碼", signIn: "登入", continueWith: "使用 %s 繼續"},
}

// randomID returns n random lower-case letters and digits, for states
// and user names.
func randomID(n int) string {
	return strings.ToLower(rand.Text()[:n])
}

// authorizeURL is the authorization request Alexa opens in the app for
// a region's redirect URL (RFC 6749 §4.1.1).
func (l *lab) authorizeURL(redirectURI, state string) string {
	q := url.Values{
		"client_id": {l.setup.ClientID}, "response_type": {"code"}, "scope": {strings.Join(l.setup.Scopes, " ")},
		"redirect_uri": {redirectURI}, "state": {state},
	}
	return l.setup.AuthorizationURI + "?" + q.Encode()
}

// checkAlexaRedirect asserts that the browser was sent to the Alexa
// redirect URL with the state unchanged and a code, and returns the code.
func checkAlexaRedirect(t *testing.T, got *url.URL, redirectURI, state string) string {
	t.Helper()
	if got == nil {
		t.Fatalf("the browser stayed on the server; want the redirect to %s", redirectURI)
	}
	if base := got.Scheme + "://" + got.Host + got.Path; base != redirectURI {
		t.Fatalf("redirected to %s, want %s", base, redirectURI)
	}
	q := got.Query()
	if q.Get("state") != state {
		t.Fatalf("state %q came back, want %q unchanged", q.Get("state"), state)
	}
	if q.Get("code") == "" || q.Get("error") != "" {
		t.Fatalf("redirect without a code: error=%q", q.Get("error"))
	}
	return q.Get("code")
}

// exchange redeems a code at the token endpoint with HTTP Basic client
// authentication and returns the access token.
func (l *lab) exchange(code, redirectURI string) string {
	l.t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	req, err := http.NewRequest(http.MethodPost, l.setup.AccessTokenURI, strings.NewReader(form.Encode()))
	if err != nil {
		l.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(l.setup.ClientID), url.QueryEscape(l.setup.ClientSecret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		Error        string `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.AccessToken == "" || body.RefreshToken == "" {
		l.t.Fatalf("code exchange: status %d, error %q, decode %v", resp.StatusCode, body.Error, err)
	}
	return body.AccessToken
}

// TestHostedPagesOnAPhone signs a new user up, confirms the code that
// arrives by SMTP, signs in again and fails a sign-in, on the hosted pages
// of a pool set up by `linkpool init alexa`, in real Chromium at a phone
// viewport, in every language of the catalogs, and opens an error page.
// Every page is checked for its language and direction, labels and
// contrast, that it fits the phone's width and that no character lacks a
// font, and saved as a screenshot; the phone fails the test if any page
// opens a dialog or a window.
func TestHostedPagesOnAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("browser end-to-end test: -short")
	}
	for _, c := range locales.All() {
		if !slices.ContainsFunc(languages, func(l language) bool { return l.htmlLang == c.Lang() }) {
			t.Errorf("the catalog %s has no entry in languages: add its texts there", c.Lang())
		}
	}
	apptest.RequireChromium(t)
	l := newLab(t, labOptions{})
	browser := startChromium(t)
	redirect := l.setup.RedirectURLs[0]
	for _, lang := range languages {
		t.Run(lang.name, func(t *testing.T) {
			user := "lamp-" + randomID(8)
			email := user + "@example.com"
			const password = "Lamp-Passw0rd!"

			// Sign up from the sign-in page, as a new user does in the app.
			p := browser.newPhone(t, l.publicURL, lang, "hosted")
			state := "st-" + randomID(20)
			if left := p.open(l.authorizeURL(redirect, state)); left != nil {
				t.Fatalf("the authorization request left the server for %s", redactURL(left.String()))
			}
			if !strings.HasSuffix(p.path(), "/login") {
				t.Fatalf("the authorization request showed %s, want the sign-in page", p.path())
			}
			if button := p.text("signInSubmitButton"); button != lang.signIn {
				t.Errorf("sign-in button %q, want %q", button, lang.signIn)
			}
			p.screenshot("login")
			p.checkA11y("login", lang.htmlLang)
			p.checkRendering("login", lang.htmlLang, lang.dir)
			if left := p.tap("signUpLink"); left != nil {
				t.Fatal("the sign-up link left the server")
			}
			p.screenshot("signup")
			p.checkA11y("signup", lang.htmlLang)
			p.checkRendering("signup", lang.htmlLang, lang.dir)
			p.fill("signUpFormUsername", user)
			p.fill("signUpFormEmail", email)
			p.fill("signUpFormPassword", password)
			if left := p.tap("signUpButton"); left != nil {
				t.Fatal("sign-up left the server before the account was confirmed")
			}
			p.screenshot("confirm")
			p.checkA11y("confirm", lang.htmlLang)
			p.checkRendering("confirm", lang.htmlLang, lang.dir)
			if msg := p.text("codeDeliveryMessage"); msg == "" || strings.Contains(msg, email) {
				t.Errorf("the confirmation page must say where the code went without showing the whole address, got %q", msg)
			}
			code, subject := l.mailedCode(email)
			if !strings.Contains(subject, lang.subject) {
				t.Errorf("mail subject %q, want it in %s (containing %q)", subject, lang.name, lang.subject)
			}
			p.fill("confirmFormCode", code)
			got := checkAlexaRedirect(t, p.tap("confirmSignUpButton"), redirect, state)
			l.exchange(got, redirect)

			// Sign in again on a fresh phone: the form, then Alexa.
			again := browser.newPhone(t, l.publicURL, lang, "hosted-again")
			state2 := "st-" + randomID(20)
			again.open(l.authorizeURL(redirect, state2))
			again.fill("signInFormUsername", user)
			again.fill("signInFormPassword", password)
			checkAlexaRedirect(t, again.tap("signInSubmitButton"), redirect, state2)

			// A wrong password: the page comes back with the error on it.
			wrong := browser.newPhone(t, l.publicURL, lang, "hosted")
			wrong.open(l.authorizeURL(redirect, "st-"+randomID(20)))
			wrong.fill("signInFormUsername", user)
			wrong.fill("signInFormPassword", "Wrong-Passw0rd!")
			if left := wrong.tap("signInSubmitButton"); left != nil {
				t.Fatalf("a wrong password was redirected to %s", redactURL(left.String()))
			}
			wrong.screenshot("error")
			wrong.checkA11y("error", lang.htmlLang)
			wrong.checkRendering("error", lang.htmlLang, lang.dir)
			if msg := wrong.text("errorMessage"); msg != lang.incorrect {
				t.Errorf("inline error %q, want %q", msg, lang.incorrect)
			}

			// The error page of an authorization request from an app
			// that is not registered.
			q := url.Values{"client_id": {"unknown-" + randomID(24)}, "response_type": {"code"}, "redirect_uri": {redirect}}
			if left := wrong.open(l.setup.AuthorizationURI + "?" + q.Encode()); left != nil {
				t.Fatalf("an unknown client was redirected to %s", redactURL(left.String()))
			}
			wrong.screenshot("errorpage")
			wrong.checkRendering("errorpage", lang.htmlLang, lang.dir)
			if wrong.text("errorMessage") == "" {
				t.Error("the error page shows no error")
			}
		})
	}
}
