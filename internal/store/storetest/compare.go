package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/linkpool/linkpool/internal/store"
)

var timeType = reflect.TypeFor[time.Time]()

// canon returns a deep copy of v as a conforming store returns it: every
// time truncated to the microsecond and in UTC, empty slices and maps nil.
func canon[T any](v T) T {
	rv := reflect.ValueOf(&v).Elem()
	out := reflect.New(rv.Type()).Elem()
	out.Set(canonValue(rv))
	return out.Interface().(T)
}

func canonValue(v reflect.Value) reflect.Value {
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		return reflect.ValueOf(t.Truncate(time.Microsecond).UTC())
	}
	switch v.Kind() {
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(canonValue(v.Field(i)))
			}
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(canonValue(v.Elem()))
		return p
	case reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(canonValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), canonValue(it.Value()))
		}
		return out
	}
	return v
}

// diff describes how got differs from want, field by field, after both
// are canonicalised; "" means equal.
func diff[T any](got, want T) string {
	var out []string
	walkDiff(&out, "", reflect.ValueOf(canon(got)), reflect.ValueOf(canon(want)))
	return strings.Join(out, "; ")
}

func walkDiff(out *[]string, path string, a, b reflect.Value) {
	if len(*out) >= 12 {
		return
	}
	if a.Type() == timeType {
		if !a.Interface().(time.Time).Equal(b.Interface().(time.Time)) {
			*out = append(*out, fmt.Sprintf("%s: got %v, want %v", path, a.Interface(), b.Interface()))
		}
		return
	}
	switch a.Kind() {
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				walkDiff(out, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
			}
		}
		return
	case reflect.Pointer:
		if !a.IsNil() && !b.IsNil() {
			walkDiff(out, path, a.Elem(), b.Elem())
			return
		}
	case reflect.Slice:
		if a.Len() == b.Len() && a.Type().Elem().Kind() == reflect.Struct {
			for i := range a.Len() {
				walkDiff(out, fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))
			}
			return
		}
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, show(a), show(b)))
	}
}

func show(v reflect.Value) string {
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		return "&" + show(v.Elem())
	}
	return fmt.Sprintf("%#v", v.Interface())
}

// timeProblems lists the times in v that a conforming store could not
// have returned: not UTC, or finer than a microsecond.
func timeProblems(v any) []string {
	var out []string
	walkTimes(&out, "", reflect.ValueOf(v))
	return out
}

func walkTimes(out *[]string, path string, v reflect.Value) {
	if v.Type() == timeType {
		t := v.Interface().(time.Time)
		if !t.IsZero() && t.Location() != time.UTC {
			*out = append(*out, fmt.Sprintf("%s is in location %q, want UTC", path, t.Location()))
		}
		if t.Nanosecond()%1000 != 0 {
			*out = append(*out, fmt.Sprintf("%s has nanoseconds %d, want microsecond precision", path, t.Nanosecond()))
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkTimes(out, path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			walkTimes(out, path, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			walkTimes(out, fmt.Sprintf("%s[%d]", path, i), v.Index(i))
		}
	}
}

// mustEqual fails the test unless got equals want once want is
// canonicalised, and unless every time in got is UTC with microsecond
// precision.
func mustEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Fatalf("%s: %s", what, d)
	}
	if p := timeProblems(got); len(p) > 0 {
		t.Fatalf("%s: %s", what, strings.Join(p, "; "))
	}
}

func mustOK(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

func mustBe(t *testing.T, err, want error, what string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

func mustNotFound(t *testing.T, err error, what string) {
	t.Helper()
	mustBe(t, err, store.ErrNotFound, what)
}

func mustAlreadyExists(t *testing.T, err error, what string) {
	t.Helper()
	mustBe(t, err, store.ErrAlreadyExists, what)
}

// errRefused is what the suite's Update callbacks return to veto a change.
var errRefused = errors.New("storetest: update refused by callback")

// failIfCalled is an Update callback for entities that do not exist.
func failIfCalled[T any](t *testing.T, what string) func(T) (T, error) {
	return func(v T) (T, error) {
		t.Errorf("%s: callback called for an entity that does not exist", what)
		return v, errRefused
	}
}

// checkUpdate pins the Update contract on the stored entity cur: the
// callback sees cur, what it returns is stored, and when it fails nothing
// is stored and its error comes back unchanged. It returns the new value.
func checkUpdate[T any](t *testing.T, what string, cur T,
	get func() (T, error),
	update func(func(T) (T, error)) error,
	mutate func(T) T,
) T {
	t.Helper()
	want := mutate(cur)
	calls := 0
	err := update(func(old T) (T, error) {
		calls++
		if d := diff(old, cur); d != "" {
			t.Errorf("%s: callback saw %s", what, d)
		}
		return want, nil
	})
	mustOK(t, err, what)
	if calls == 0 {
		t.Fatalf("%s: callback never called", what)
	}
	got, err := get()
	mustOK(t, err, what+": get after update")
	mustEqual(t, what+": get after update", got, want)

	err = update(func(old T) (T, error) { return mutate(old), errRefused })
	if err != errRefused {
		t.Fatalf("%s with failing callback: got error %v, want the callback's error unchanged", what, err)
	}
	got, err = get()
	mustOK(t, err, what+": get after refused update")
	mustEqual(t, what+": refused update must store nothing", got, want)
	return want
}
