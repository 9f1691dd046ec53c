package account_test

import (
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/apptest"
	"github.com/linkpool/linkpool/internal/mail"
	"github.com/linkpool/linkpool/internal/password"
	"github.com/linkpool/linkpool/internal/pool"
	"github.com/linkpool/linkpool/internal/seal"
	"github.com/linkpool/linkpool/internal/store"
	"github.com/linkpool/linkpool/internal/store/sqlite"
	"github.com/linkpool/linkpool/internal/testclock"
)

// newClock is a settable time source shared by the services of a test.
func newClock() *testclock.Clock {
	return testclock.New(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
}

var codePattern = regexp.MustCompile(`\b\d{6}\b`)

// env is a Service on a real SQLite file with a captured mailbox.
type env struct {
	svc   *account.Service
	db    *sqlite.DB
	path  string
	pool  pool.Pool
	clock *testclock.Clock
	box   *apptest.Mailbox
	logs  *apptest.Log // the Service's own log
	// hasher is shared by every Service of the env, so tests can count
	// its argon2id computations.
	hasher *password.Hasher
}

// newEnv creates a pool (default Cognito settings: username sign-in, email
// verified by code) after applying edit, and a Service on it.
func newEnv(t *testing.T, edit func(p *pool.Pool)) *env {
	t.Helper()
	e := &env{clock: newClock(), box: &apptest.Mailbox{}, logs: &apptest.Log{}, hasher: password.NewHasher(apptest.CheapHashing, 0)}
	e.path = filepath.Join(t.TempDir(), "linkpool.db")
	e.db = openDB(t, e.path)
	e.pool = pool.NewPool("us-east-1", "SmartLamp", e.clock.Now())
	if edit != nil {
		edit(&e.pool)
	}
	if err := e.db.CreatePool(context.Background(), e.pool); err != nil {
		t.Fatalf("create pool: %v", err)
	}
	e.svc = e.service(e.sender())
	return e
}

// sender delivers into the env's mailbox.
func (e *env) sender() mail.Sender { return e.box }

func openDB(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// codeKey keys the code hashes of every Service in these tests, so that
// several Services on one store accept each other's codes.
// masterBox seals the SRP verifiers of every Service in these tests.
var masterBox = func() *seal.Box {
	key := make([]byte, seal.KeySize)
	key[0] = 9
	b, err := seal.New(key)
	if err != nil {
		panic(err)
	}
	return b
}()

var codeKey = func() []byte {
	box, err := seal.New(make([]byte, seal.KeySize))
	if err != nil {
		panic(err)
	}
	return box.DeriveKey(account.CodeKeyPurpose)
}()

// service returns another Service on the env's store, clock and logs.
func (e *env) service(sender mail.Sender) *account.Service {
	return e.serviceOn(e.db, sender)
}

// serviceOn returns a Service on st with the env's clock, logs and
// hasher; edits change its Config.
func (e *env) serviceOn(st store.Store, sender mail.Sender, edits ...func(*account.Config)) *account.Service {
	cfg := account.Config{
		Store:   st,
		Hasher:  e.hasher,
		CodeKey: codeKey,
		Box:     masterBox,
		Mailer:  sender,
		Log:     e.logs.Logger(),
		Now:     e.clock.Now,
	}
	for _, edit := range edits {
		edit(&cfg)
	}
	return account.New(cfg)
}

// signUp registers and confirms a user with an email address.
func (e *env) signUp(t *testing.T, username, email, pw string) pool.User {
	t.Helper()
	ctx := context.Background()
	res, err := e.svc.SignUp(ctx, e.pool, account.SignUpInput{
		Username: username, Password: pw, Attributes: map[string]string{"email": email},
	})
	if err != nil {
		t.Fatalf("SignUp(%s): %v", username, err)
	}
	if res.Confirmed {
		return res.User
	}
	u, err := e.svc.ConfirmSignUp(ctx, e.pool, username, e.box.LastCode(t, email))
	if err != nil {
		t.Fatalf("ConfirmSignUp(%s): %v", username, err)
	}
	return u
}

func (e *env) user(t *testing.T, sub string) pool.User {
	t.Helper()
	u, err := e.db.GetUser(context.Background(), e.pool.ID, sub)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	return u
}

func (e *env) userCount(t *testing.T) int {
	t.Helper()
	page, err := e.db.ListUsers(context.Background(), e.pool.ID, store.ListOptions{Limit: store.MaxPageSize})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	return len(page.Items)
}

// wantErr checks that err is an *account.Error of type typ.
func wantErr(t *testing.T, err error, typ string) *account.Error {
	t.Helper()
	var ae *account.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v (%T), want %s", err, err, typ)
	}
	if ae.Type != typ {
		t.Fatalf("error type = %s (%q), want %s", ae.Type, ae.Message, typ)
	}
	return ae
}

const goodPW = "Corr3ct-Horse"

func sqliteOpen(path string) (*sqlite.DB, error) { return sqlite.Open(context.Background(), path) }

func benchPool(e *env) pool.Pool { return pool.NewPool("us-east-1", "Bench", e.clock.Now()) }

// raceOneCode runs verify on every service at once with one code: exactly
// one must accept it, and the others refuse it with an error of type lose.
// name heads the failure.
func raceOneCode(t *testing.T, name string, svcs []*account.Service, lose string, verify func(svc *account.Service) error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, len(svcs))
	for i, svc := range svcs {
		wg.Go(func() {
			<-start
			errs[i] = verify(svc)
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case account.TypeOf(err) != lose:
			t.Fatalf("%s: %v", name, err)
		}
	}
	if wins != 1 {
		t.Fatalf("%s: %d of %d verifications accepted one code (%v)", name, wins, len(svcs), errs)
	}
}
