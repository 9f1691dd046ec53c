package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

func newAuditRecord(i int, at time.Time, poolID, action string) store.AuditRecord {
	return store.AuditRecord{
		ID: fmt.Sprintf("%s-%04d", randomHex(4), i), Time: at, ActorKind: "cli", ActorID: "operator",
		Action: action, PoolID: poolID, Target: fmt.Sprintf("target-%d", i),
		Changed: []store.AuditChange{{Field: "Enabled", Value: "false"}, {Field: "Password", Withheld: true}},
		Result:  "ok", RequestID: fmt.Sprintf("req-%d", i),
	}
}

func testAuditLog(t *testing.T, s store.Store) {
	ctx := t.Context()
	t0 := base()
	page, err := s.ListAudit(ctx, store.AuditFilter{}, store.ListOptions{})
	mustOK(t, err, "ListAudit on an empty log")
	if len(page.Items) != 0 || page.Next != "" {
		t.Fatalf("empty log lists %d records, next %q", len(page.Items), page.Next)
	}

	// Seven records a minute apart; two pools; records 3 and 4 share an
	// instant, so that the ID breaks the tie.
	var all []store.AuditRecord
	for i := range 7 {
		at := t0.Add(time.Duration(i) * time.Minute)
		if i == 4 {
			at = all[3].Time
		}
		poolID, action := "eu-west-1_a", "AdminDisableUser"
		if i%2 == 1 {
			poolID, action = "eu-west-1_b", "CreateUserPoolClient"
		}
		r := newAuditRecord(i, at, poolID, action)
		if i == 6 {
			r.Changed, r.ActorKind, r.ActorID, r.Result = nil, "api", "AKIAEXAMPLE", "UserNotFoundException"
		}
		mustOK(t, s.AppendAudit(ctx, r), "AppendAudit")
		all = append(all, r)
	}
	mustAlreadyExists(t, s.AppendAudit(ctx, all[0]), "AppendAudit with a taken id")

	newestFirst := func(idx ...int) []store.AuditRecord {
		out := make([]store.AuditRecord, 0, len(idx))
		for _, i := range idx {
			out = append(out, all[i])
		}
		return out
	}
	// 3 and 4 share a time: the greater ID comes first.
	tie := []int{4, 3}
	if all[3].ID > all[4].ID {
		tie = []int{3, 4}
	}
	order := append(append([]int{6, 5}, tie...), 2, 1, 0)

	page, err = s.ListAudit(ctx, store.AuditFilter{}, store.ListOptions{})
	mustOK(t, err, "ListAudit")
	mustEqual(t, "ListAudit newest first", page.Items, newestFirst(order...))

	// Pages of two, in the same order, with nothing repeated or lost.
	var paged []store.AuditRecord
	opts := store.ListOptions{Limit: 2}
	for n := 0; ; n++ {
		if n > 10 {
			t.Fatal("ListAudit pages never end")
		}
		page, err := s.ListAudit(ctx, store.AuditFilter{}, opts)
		mustOK(t, err, "ListAudit page")
		paged = append(paged, page.Items...)
		if page.Next == "" {
			break
		}
		opts.PageToken = page.Next
	}
	mustEqual(t, "ListAudit pages", paged, newestFirst(order...))

	// Filters.
	page, err = s.ListAudit(ctx, store.AuditFilter{PoolID: "eu-west-1_b"}, store.ListOptions{})
	mustOK(t, err, "ListAudit by pool")
	mustEqual(t, "ListAudit by pool", page.Items, newestFirst(5, 3, 1))
	page, err = s.ListAudit(ctx, store.AuditFilter{Action: "AdminDisableUser", ActorKind: "cli"}, store.ListOptions{})
	mustOK(t, err, "ListAudit by action and actor kind")
	want := newestFirst(4, 2, 0)
	mustEqual(t, "ListAudit by action", page.Items, want)
	page, err = s.ListAudit(ctx, store.AuditFilter{ActorID: "AKIAEXAMPLE"}, store.ListOptions{})
	mustOK(t, err, "ListAudit by actor id")
	mustEqual(t, "ListAudit by actor id", page.Items, newestFirst(6))
	page, err = s.ListAudit(ctx, store.AuditFilter{Since: all[2].Time, Until: all[5].Time}, store.ListOptions{})
	mustOK(t, err, "ListAudit by time")
	mustEqual(t, "ListAudit since (inclusive) until (exclusive)", page.Items, newestFirst(append(tie, 2)...))

	for _, tok := range []string{"garbage", store.PageToken("pools", "x"), store.PageToken("audit", "12\x00id")} {
		_, err = s.ListAudit(ctx, store.AuditFilter{}, store.ListOptions{PageToken: tok})
		mustBe(t, err, store.ErrInvalidPageToken, "ListAudit with a foreign token")
	}

	// Retention: records before the cut go, the rest stay.
	n, err := s.PurgeAudit(ctx, all[3].Time)
	mustOK(t, err, "PurgeAudit")
	if n != 3 {
		t.Fatalf("PurgeAudit removed %d records, want 3", n)
	}
	page, err = s.ListAudit(ctx, store.AuditFilter{}, store.ListOptions{})
	mustOK(t, err, "ListAudit after purge")
	mustEqual(t, "ListAudit after purge", page.Items, newestFirst(order[:4]...))
	n, err = s.PurgeAudit(ctx, all[3].Time)
	mustOK(t, err, "PurgeAudit again")
	if n != 0 {
		t.Fatalf("second PurgeAudit removed %d records, want 0", n)
	}
}
