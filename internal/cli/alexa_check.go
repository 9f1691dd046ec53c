package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/linkpool/linkpool/internal/alexasim"
)

func runAlexaCheck(ctx context.Context, e *env, args []string) error {
	cc := newConsoleCmd(e, "alexa check")
	var username, password, lang, brand, gateway string
	fs := cc.fs
	fs.StringVar(&username, "username", "", "test user for the sign-in items (without one they are skipped)")
	fs.StringVar(&password, "password", "", "the test user's password (prefer LINKPOOL_PASSWORD or LINKPOOL_PASSWORD_FILE)")
	fs.StringVar(&lang, "lang", "en-US", "the user's language (Accept-Language); the login page should answer in it, e.g. zh-CN")
	fs.StringVar(&brand, "brand", "", "the name the login page should show (default --skill-name); a logo image also counts")
	fs.StringVar(&gateway, "gateway", "", "base URL of 'linkpool alexa gateway' for AcceptGrant codes")
	c, err := cc.parse(e, args)
	if err != nil {
		return err
	}
	schema, err := cc.af.loadSchema(e)
	if err != nil {
		return err
	}
	skill, _, closeFn, err := cc.skf.open(ctx, e, c.ClientID, "")
	if err != nil {
		return err
	}
	defer closeFn()
	rep, err := alexasim.Check(ctx, alexasim.CheckOptions{
		Console: c, Username: username, Password: password, Lang: lang, Brand: brand, Gateway: gateway, SkillName: cc.skillName,
		Env: alexasim.Env{Skill: skill, Schema: schema, HTTPClient: &http.Client{}},
	})
	if err != nil {
		return err
	}
	if cc.af.json {
		if err := printJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		printCheck(e.stdout, rep)
	}
	if !rep.OK {
		failed := 0
		for _, it := range rep.Items {
			if it.Status == alexasim.Fail {
				failed++
			}
		}
		return fmt.Errorf("%d checklist item(s) failed", failed)
	}
	return nil
}

func printCheck(w io.Writer, rep *alexasim.CheckReport) {
	counts := map[alexasim.CheckStatus]int{}
	for _, it := range rep.Items {
		counts[it.Status]++
		fmt.Fprintf(w, "%-4s  %s\n      %s\n", it.Status, it.Title, it.Reason)
		for _, d := range it.Diagnoses {
			fmt.Fprintf(w, "      %s %s: %s\n", d.Severity, d.Code, d.Detail)
		}
	}
	fmt.Fprintf(w, "\nChecklist: %d PASS, %d FAIL, %d WARN, %d SKIP, %d INFO\n", counts[alexasim.Pass], counts[alexasim.Fail], counts[alexasim.Warn], counts[alexasim.Skip], counts[alexasim.Info])
}
