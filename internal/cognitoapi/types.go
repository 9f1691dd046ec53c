package cognitoapi

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/linkpool/linkpool/internal/pool"
)

// epoch is a timestamp on the wire: seconds since the epoch as a JSON
// number with a fraction, as Cognito sends them (1.682955829578E9).
type epoch time.Time

func (t epoch) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, float64(time.Time(t).UnixMilli())/1000, 'f', -1, 64), nil
}

// attributeType is Cognito's AttributeType.
type attributeType struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// attributeIn is an AttributeType in a request, with null members kept
// apart for validation.
type attributeIn struct {
	Name  *string `json:"Name"`
	Value *string `json:"Value"`
}

// userType is Cognito's UserType (AdminCreateUser, ListUsers).
type userType struct {
	Username             string          `json:"Username"`
	Attributes           []attributeType `json:"Attributes"`
	UserCreateDate       epoch           `json:"UserCreateDate"`
	UserLastModifiedDate epoch           `json:"UserLastModifiedDate"`
	Enabled              bool            `json:"Enabled"`
	UserStatus           string          `json:"UserStatus"`
}

func newUserType(u pool.User, only []string) userType {
	return userType{
		Username: u.Username, Attributes: attributes(u, only),
		UserCreateDate: epoch(u.CreatedAt), UserLastModifiedDate: epoch(u.UpdatedAt),
		Enabled: u.Enabled, UserStatus: u.Status,
	}
}

// attrIdentities is the attribute Cognito shows a user's linked
// provider identities in (pool.IdentitiesJSON).
const attrIdentities = "identities"

// attributes lists a user's attributes, sub first and the others by
// name, as Cognito lists them, with "identities" for a user that has
// provider identities. A non-nil only keeps the named ones.
func attributes(u pool.User, only []string) []attributeType {
	keep := func(n string) bool { return only == nil || slices.Contains(only, n) }
	out := []attributeType{}
	if keep("sub") {
		out = append(out, attributeType{Name: "sub", Value: u.Sub})
	}
	names := slices.Collect(maps.Keys(u.Attributes))
	if len(u.Identities) > 0 && u.Attributes[attrIdentities] == "" {
		names = append(names, attrIdentities)
	}
	slices.Sort(names)
	for _, n := range names {
		if !keep(n) {
			continue
		}
		v := u.Attributes[n]
		if n == attrIdentities && len(u.Identities) > 0 {
			v = pool.IdentitiesJSON(u.Identities)
		}
		out = append(out, attributeType{Name: n, Value: v})
	}
	return out
}

// Constraints of the cognito-idp model on request members.
var (
	poolIDPattern   = `[\w-]+_[0-9a-zA-Z]+`
	namePattern     = `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`
	passwordPattern = `[\S]+`
	poolIDRe        = regexp.MustCompile(`^(?:` + poolIDPattern + `)$`)
	nameRe          = regexp.MustCompile(`^(?:` + namePattern + `)$`)
	passwordRe      = regexp.MustCompile(`^(?:` + passwordPattern + `)$`)
)

// str checks a string member: not null when required, its length in
// characters within [min, max], and matching re when set. Like AWS, it
// reports every constraint the value fails, length before pattern.
func (v *validation) str(field string, s *string, required bool, min, max int, pattern string, re *regexp.Regexp, sensitive bool) {
	if s == nil {
		if required {
			v.add(field, nil, false, "Member must not be null")
		}
		return
	}
	n := len([]rune(*s))
	if n < min {
		v.add(field, s, sensitive, "Member must have length greater than or equal to "+strconv.Itoa(min))
	}
	if n > max {
		v.add(field, s, sensitive, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
	if re != nil && !re.MatchString(*s) {
		v.add(field, s, sensitive, "Member must satisfy regular expression pattern: "+pattern)
	}
}

func (v *validation) poolID(s *string) {
	v.str("userPoolId", s, true, 1, 55, poolIDPattern, poolIDRe, false)
}

func (v *validation) username(s *string) {
	v.str("username", s, true, 1, 128, namePattern, nameRe, true)
}

func (v *validation) password(field string, s *string, required bool) {
	v.str(field, s, required, 0, 256, passwordPattern, passwordRe, true)
}

// attrs checks a list of attributes and returns it as a map.
func (v *validation) attrs(field string, in []attributeIn, required bool) map[string]string {
	if in == nil {
		if required {
			v.add(field, nil, false, "Member must not be null")
		}
		return nil
	}
	out := make(map[string]string, len(in))
	for i, a := range in {
		f := field + "." + strconv.Itoa(i+1) + ".member"
		v.str(f+".name", a.Name, true, 1, 32, namePattern, nameRe, false)
		v.str(f+".value", a.Value, false, 0, 2048, "", nil, true)
		if a.Name != nil {
			out[*a.Name] = deref(a.Value)
		}
	}
	return out
}

// enum checks a member against its set of values.
func (v *validation) enum(field string, s *string, values ...string) {
	if s != nil && !slices.Contains(values, *s) {
		set := "["
		for i, x := range values {
			if i > 0 {
				set += ", "
			}
			set += x
		}
		v.add(field, s, false, "Member must satisfy enum value set: "+set+"]")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
