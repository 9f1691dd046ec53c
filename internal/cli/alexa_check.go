package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"github.com/linkpool/linkpool/internal/alexasim"
	"github.com/linkpool/linkpool/internal/store"
)

func runAlexaCheck(ctx context.Context, e *env, args []string) error {
	cc := newConsoleCmd(e, "alexa check")
	var username, password, lang, brand, gateway, idp string
	fs := cc.fs
	fs.StringVar(&idp, "identity-provider", "", "run the sign-in items through this identity provider's button of the login page (e.g. LoginWithAmazon); --username and --password then sign in at the provider when it shows a form")
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
	var providers *alexasim.ClientProviders
	if cc.skf.poolID != "" {
		if providers, err = clientProviders(ctx, e, &cc.skf.storage, cc.skf.poolID, c.ClientID); err != nil {
			return err
		}
	}
	rep, err := alexasim.Check(ctx, alexasim.CheckOptions{
		Console: c, Username: username, Password: password, Lang: lang, Brand: brand, Gateway: gateway, SkillName: cc.skillName,
		IdentityProvider: idp, Providers: providers,
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

// clientProviders reads the app client's identity providers and the
// pool's from linkpool's store, for the checklist's identity-provider
// items.
func clientProviders(ctx context.Context, e *env, sf *storageFlags, poolID, clientID string) (*alexasim.ClientProviders, error) {
	st, err := sf.openStore(ctx, warnLogger(e.stderr))
	if err != nil {
		return nil, err
	}
	defer st.Close()
	cl, err := st.GetClient(ctx, clientID)
	if err != nil || cl.PoolID != poolID {
		return nil, fmt.Errorf("--pool-id %s has no app client %s", poolID, clientID)
	}
	cp := &alexasim.ClientProviders{PoolID: poolID, Listed: cl.SupportedIdentityProviders, Pool: map[string]string{}}
	opts := store.ListOptions{Limit: store.MaxPageSize}
	for {
		page, err := st.ListIdentityProviders(ctx, poolID, opts)
		if err != nil {
			return nil, fmt.Errorf("identity providers of %s: %w", poolID, err)
		}
		for _, p := range page.Items {
			cp.Pool[p.ProviderName] = p.ProviderType
		}
		if page.Next == "" {
			return cp, nil
		}
		opts.PageToken = page.Next
	}
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
