package smarthometest

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// Plan is one of Amazon's capability-evaluation test plans: expected lamp
// states after directives (alexa-samples/alexa-smarthome
// capability_evaluations/test_plans).
type Plan struct {
	Name      string     `json:"name"`
	TestCases []TestCase `json:"testCases"`
}

// TestCase is one plan case: run the setups from a fresh device, then the
// directive, then compare the state with the expectations.
type TestCase struct {
	Name          string          `json:"name"`
	InitialSetups []Setup         `json:"initialSetups"`
	Directive     PlanDirective   `json:"directive"`
	Expected      []ExpectedState `json:"expectedCapabilityStates"`
	Tolerances    []Tolerance     `json:"capabilityTolerances"`
}

// Setup is a directive and the state it should leave.
type Setup struct {
	CapabilityState ExpectedState `json:"capabilityState"`
	Directive       PlanDirective `json:"directive"`
}

// PlanDirective is the header and payload of a directive in a plan.
type PlanDirective struct {
	Header struct {
		Namespace string `json:"namespace"`
		Name      string `json:"name"`
	} `json:"header"`
	Payload json.RawMessage `json:"payload"`
}

// ExpectedState is an expected property value; Compare is "" (equal
// within tolerance), "EQUAL_TO", "GREATER_THAN" or "LESS_THAN".
type ExpectedState struct {
	Namespace string          `json:"namespace"`
	Name      string          `json:"name"`
	Value     json.RawMessage `json:"value"`
	Compare   string          `json:"compare"`
}

// Tolerance is the allowed deviation of a property, in percent of the
// expected value.
type Tolerance struct {
	Namespace        string  `json:"namespace"`
	Name             string  `json:"name"`
	PercentThreshold float64 `json:"percentThreshold"`
}

// Plans loads every capability-evaluation plan.
func Plans(t testing.TB) []Plan {
	t.Helper()
	dir := filepath.Join(DataDir(t), "samples", "capability_evaluations")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var plans []Plan
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var p Plan
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		plans = append(plans, p)
	}
	if len(plans) == 0 {
		t.Fatalf("no capability evaluation plans in %s", dir)
	}
	return plans
}

// Tolerance returns the percent tolerance of namespace/name (0 if none).
func (tc TestCase) Tolerance(namespace, name string) float64 {
	for _, tol := range tc.Tolerances {
		if tol.Namespace == namespace && tol.Name == name {
			return tol.PercentThreshold
		}
	}
	return 0
}

// Check compares a reported property value (as JSON) with exp under a
// percent tolerance; it returns "" when it matches, else a description.
func Check(exp ExpectedState, got json.RawMessage, percent float64) string {
	var want, have any
	if err := json.Unmarshal(exp.Value, &want); err != nil {
		return "bad expectation: " + err.Error()
	}
	if err := json.Unmarshal(got, &have); err != nil {
		return "bad value: " + err.Error()
	}
	if ok := compare(want, have, exp.Compare, percent); !ok {
		return exp.Name + ": got " + string(got) + ", want " + exp.Compare + " " + string(exp.Value)
	}
	return ""
}

func compare(want, have any, cmp string, percent float64) bool {
	switch w := want.(type) {
	case string:
		h, ok := have.(string)
		return ok && h == w
	case float64:
		h, ok := have.(float64)
		if !ok {
			return false
		}
		switch cmp {
		case "GREATER_THAN":
			return h > w
		case "LESS_THAN":
			return h < w
		}
		return math.Abs(h-w) <= math.Abs(w)*percent/100+1e-9
	case map[string]any:
		h, ok := have.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			if !compare(wv, h[k], cmp, percent) {
				return false
			}
		}
		return true
	}
	return false
}
