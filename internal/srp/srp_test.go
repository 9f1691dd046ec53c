package srp

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	salt := NewSalt()
	s, _ := ParseHex(salt)
	v := Verifier(s, "Pool1", "carol", "Secret-1!")
	b := NewPrivate()
	B := ServerB(v, b)
	cl := NewClient("Pool1")
	A, err := ParseA(cl.SRPA())
	if err != nil {
		t.Fatal(err)
	}
	skey, err := ServerKey(A, B, b, v)
	if err != nil {
		t.Fatal(err)
	}
	ckey, err := cl.Key("carol", "Secret-1!", B.Text(16), salt)
	if err != nil {
		t.Fatal(err)
	}
	ts := FormatTimestamp(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if ts != "Fri Jan 2 03:04:05 UTC 2026" {
		t.Errorf("timestamp %q", ts)
	}
	sig := Signature(ckey, "Pool1", "carol", []byte("block"), ts)
	if !VerifySignature(skey, "Pool1", "carol", []byte("block"), ts, sig) {
		t.Fatal("server refused the client's signature")
	}
	for _, bad := range []struct{ user, block, ts string }{{"Carol", "block", ts}, {"carol", "blocK", ts}, {"carol", "block", ts + " "}} {
		if VerifySignature(skey, "Pool1", bad.user, []byte(bad.block), bad.ts, sig) {
			t.Errorf("signature accepted for %+v", bad)
		}
	}
	other, _ := cl.Key("carol", "Secret-2!", B.Text(16), salt)
	if VerifySignature(skey, "Pool1", "carol", []byte("block"), ts, Signature(other, "Pool1", "carol", []byte("block"), ts)) {
		t.Fatal("a wrong password's signature was accepted")
	}
}

func TestParseA(t *testing.T) {
	for _, s := range []string{"", "0", "00", N.Text(16), new(big.Int).Mul(N, big.NewInt(3)).Text(16), "-1", "+1", "0x10", "g", "1_0", " 1", strings.Repeat("1", 1025)} {
		if _, err := ParseA(s); err == nil {
			t.Errorf("ParseA(%q) accepted", s)
		}
	}
	if _, err := ParseA(N.Text(16)); !errors.Is(err, ErrIllegalA) {
		t.Errorf("ParseA(N) = %v, want ErrIllegalA", err)
	}
	if a, err := ParseA("0002"); err != nil || a.Int64() != 2 {
		t.Errorf("ParseA(0002) = %v, %v", a, err)
	}
}

func TestParseTimestamp(t *testing.T) {
	for _, s := range []string{"Fri Jan 2 03:04:05 UTC 2026", "Fri Jan 02 03:04:05 UTC 2026"} {
		if got, err := ParseTimestamp(s); err != nil || !got.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
			t.Errorf("ParseTimestamp(%q) = %v, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "2026-01-02T03:04:05Z", "Fri Jan 2 03:04:05 GMT 2026", "Fri Jan 2 3:4:5 UTC 2026", strings.Repeat("x", 100)} {
		if _, err := ParseTimestamp(s); err == nil {
			t.Errorf("ParseTimestamp(%q) accepted", s)
		}
	}
}

func TestPoolName(t *testing.T) {
	for in, want := range map[string]string{"eu-west-1_abc": "abc", "local_a_b": "a_b", "plain": "plain"} {
		if got := PoolName(in); got != want {
			t.Errorf("PoolName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("abc", "Fri Jan 2 03:04:05 UTC 2026")
	f.Add(N.Text(16), "")
	f.Fuzz(func(t *testing.T, a, ts string) {
		if A, err := ParseA(a); err == nil && new(big.Int).Mod(A, N).Sign() == 0 {
			t.Fatal("accepted A = 0 mod N")
		}
		if tm, err := ParseTimestamp(ts); err == nil {
			if back, err := ParseTimestamp(FormatTimestamp(tm)); err != nil || !back.Equal(tm) {
				t.Fatalf("%q: round trip gave %v, %v", ts, back, err)
			}
		}
	})
}
