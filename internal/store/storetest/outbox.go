package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

func newOutboxMail(now time.Time) store.OutboxMail {
	return store.OutboxMail{
		ID: randomHex(16), Sealed: []byte{0x00, 0x01, 0xfe, 0xff, byte(now.Second())},
		NextAttemptAt: now, CreatedAt: now,
	}
}

// claimIDs claims up to limit mails due at now, leased for lease.
func claimIDs(t *testing.T, s store.Store, now time.Time, lease time.Duration, limit int) []store.OutboxMail {
	t.Helper()
	got, err := s.ClaimMail(t.Context(), now, now.Add(lease), limit)
	mustOK(t, err, "ClaimMail")
	return got
}

// testOutboxCRUD: a mail is claimed once its attempt is due, comes back
// with its lease, and is gone after DeleteMail.
func testOutboxCRUD(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := base()
	if got := claimIDs(t, s, now, 10*time.Second, 10); len(got) != 0 {
		t.Fatalf("ClaimMail on an empty outbox = %d mails", len(got))
	}
	m := newOutboxMail(now)
	mustOK(t, s.EnqueueMail(ctx, m), "EnqueueMail")
	mustAlreadyExists(t, s.EnqueueMail(ctx, m), "EnqueueMail with a taken id")
	later := newOutboxMail(now)
	later.NextAttemptAt = now.Add(time.Minute)
	mustOK(t, s.EnqueueMail(ctx, later), "EnqueueMail due later")

	if got := claimIDs(t, s, now.Add(-time.Second), 10*time.Second, 10); len(got) != 0 {
		t.Fatalf("ClaimMail before the mail is due = %d mails", len(got))
	}
	got := claimIDs(t, s, now, 10*time.Second, 10)
	want := m
	want.Attempts, want.LeaseUntil, want.NextAttemptAt = 1, now.Add(10*time.Second), now.Add(10*time.Second)
	if len(got) != 1 {
		t.Fatalf("ClaimMail = %d mails, want the one due", len(got))
	}
	mustEqual(t, "claimed mail", got[0], want)

	mustOK(t, s.DeleteMail(ctx, m.ID), "DeleteMail")
	mustNotFound(t, s.DeleteMail(ctx, m.ID), "DeleteMail twice")
	mustNotFound(t, s.RetryMail(ctx, m.ID, want.LeaseUntil, now), "RetryMail of a deleted mail")
	if got := claimIDs(t, s, now.Add(time.Hour), 10*time.Second, 10); len(got) != 1 || got[0].ID != later.ID {
		t.Fatalf("ClaimMail after delete = %+v, want only the later mail", got)
	}
}

// testOutboxLease: a claimed mail is invisible to other claimers until its
// lease ends, then anyone may claim it again; the first claimer, whose
// lease has passed to another, can no longer reschedule it.
func testOutboxLease(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := base()
	m := newOutboxMail(now)
	mustOK(t, s.EnqueueMail(ctx, m), "EnqueueMail")
	first := claimIDs(t, s, now, 10*time.Second, 10)
	if len(first) != 1 {
		t.Fatalf("first claim = %d mails", len(first))
	}
	for _, at := range []time.Duration{0, time.Second, 10*time.Second - time.Millisecond} {
		if got := claimIDs(t, s, now.Add(at), 10*time.Second, 10); len(got) != 0 {
			t.Fatalf("a leased mail was claimed again %v into its lease", at)
		}
	}
	// The claimer died: its lease ends and another instance takes over.
	second := claimIDs(t, s, now.Add(10*time.Second), 10*time.Second, 10)
	if len(second) != 1 || second[0].ID != m.ID || second[0].Attempts != 2 {
		t.Fatalf("claim after the lease = %+v, want the mail at its second attempt", second)
	}
	mustNotFound(t, s.RetryMail(ctx, m.ID, first[0].LeaseUntil, now), "RetryMail under a lease that passed to another claimer")
	mustOK(t, s.RetryMail(ctx, m.ID, second[0].LeaseUntil, now.Add(11*time.Second)), "RetryMail by the lease holder")
}

// testOutboxRetry: RetryMail ends the lease and makes the mail due at the
// time given, not before.
func testOutboxRetry(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := base()
	m := newOutboxMail(now)
	mustOK(t, s.EnqueueMail(ctx, m), "EnqueueMail")
	got := claimIDs(t, s, now, 10*time.Second, 1)
	if len(got) != 1 {
		t.Fatalf("claim = %d mails", len(got))
	}
	next := now.Add(2 * time.Second)
	mustOK(t, s.RetryMail(ctx, m.ID, got[0].LeaseUntil, next), "RetryMail")
	mustNotFound(t, s.RetryMail(ctx, "missing", got[0].LeaseUntil, next), "RetryMail of a missing mail")
	if got := claimIDs(t, s, next.Add(-time.Millisecond), 10*time.Second, 1); len(got) != 0 {
		t.Fatal("a rescheduled mail was claimed before its next attempt")
	}
	got = claimIDs(t, s, next, 10*time.Second, 1)
	want := m
	want.Attempts, want.LeaseUntil, want.NextAttemptAt = 2, next.Add(10*time.Second), next.Add(10*time.Second)
	if len(got) != 1 {
		t.Fatalf("claim at the next attempt = %d mails", len(got))
	}
	mustEqual(t, "mail at its second attempt", got[0], want)
}

// testOutboxGarbageCollect: mail that waited longer than OutboxMaxAge,
// given up on or never finished, is deleted; younger mail stays.
func testOutboxGarbageCollect(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := base()
	old := newOutboxMail(now.Add(-store.OutboxMaxAge - time.Second))
	old.Attempts, old.NextAttemptAt = 3, now.Add(-time.Hour)
	young := newOutboxMail(now.Add(-store.OutboxMaxAge + time.Minute))
	young.NextAttemptAt = now.Add(time.Hour)
	mustOK(t, s.EnqueueMail(ctx, old), "EnqueueMail old")
	mustOK(t, s.EnqueueMail(ctx, young), "EnqueueMail young")
	res, err := s.GarbageCollect(ctx, now)
	mustOK(t, err, "GarbageCollect")
	if res.Mail != 1 {
		t.Errorf("GarbageCollect removed %d mails, want 1", res.Mail)
	}
	mustNotFound(t, s.DeleteMail(ctx, old.ID), "DeleteMail of a collected mail")
	mustOK(t, s.DeleteMail(ctx, young.ID), "DeleteMail of a young mail")
}

// testOutboxClaimRace: of many concurrent claimers, each mail goes to
// exactly one.
func testOutboxClaimRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := base()
	const mails, claimers = 40, 16
	for i := range mails {
		m := newOutboxMail(now.Add(-time.Duration(i) * time.Millisecond))
		mustOK(t, s.EnqueueMail(ctx, m), "EnqueueMail")
	}
	var mu sync.Mutex
	seen := map[string]int{}
	errs := make(chan error, claimers*mails)
	race(claimers, func(int) {
		for {
			got, err := s.ClaimMail(ctx, now, now.Add(time.Minute), 3)
			if err != nil {
				errs <- err
				return
			}
			if len(got) == 0 {
				return
			}
			mu.Lock()
			for _, m := range got {
				seen[m.ID]++
			}
			mu.Unlock()
		}
	})
	close(errs)
	for err := range errs {
		t.Fatalf("ClaimMail: %v", err)
	}
	if len(seen) != mails {
		t.Errorf("%d of %d mails claimed", len(seen), mails)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("mail %s claimed %d times", id, n)
		}
	}
}
