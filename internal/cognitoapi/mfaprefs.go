package cognitoapi

import (
	"github.com/linkpool/linkpool/internal/account"
	"github.com/linkpool/linkpool/internal/pool"
)

// SetUserMFAPreference (unsigned, by the access token) and
// AdminSetUserMFAPreference (SigV4): which factors a user has enabled
// and prefers, over account.Service.SetMFAPreference. GetUser and
// AdminGetUser show them (mfaSettings).

// mfaSettingsType is Cognito's SoftwareTokenMfaSettingsType and
// EmailMfaSettingsType (and SMSMfaSettingsType, refused when enabled).
type mfaSettingsType struct {
	Enabled      *bool `json:"Enabled"`
	PreferredMfa *bool `json:"PreferredMfa"`
}

type mfaPreferenceRequest struct {
	SMSMfaSettings           *mfaSettingsType `json:"SMSMfaSettings"`
	SoftwareTokenMfaSettings *mfaSettingsType `json:"SoftwareTokenMfaSettings"`
	EmailMfaSettings         *mfaSettingsType `json:"EmailMfaSettings"`
}

func (s *mfaSettingsType) setting() *account.FactorSetting {
	if s == nil {
		return nil
	}
	return &account.FactorSetting{Enabled: s.Enabled != nil && *s.Enabled, Preferred: s.PreferredMfa != nil && *s.PreferredMfa}
}

// preference converts the request; SMS may only be disabled.
func (r *mfaPreferenceRequest) preference() (account.MFAPreference, error) {
	if s := r.SMSMfaSettings.setting(); s != nil && (s.Enabled || s.Preferred) {
		return account.MFAPreference{}, NewError(InvalidParameterException, msgNoSMS)
	}
	return account.MFAPreference{SoftwareToken: r.SoftwareTokenMfaSettings.setting(), Email: r.EmailMfaSettings.setting()}, nil
}

func setUserMFAPreference(c *call) (any, error) {
	var req struct {
		mfaPreferenceRequest
		AccessToken *string `json:"AccessToken"`
	}
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var v validation
	v.accessToken(req.AccessToken)
	if err := v.err(); err != nil {
		return nil, err
	}
	pref, err := req.preference()
	if err != nil {
		return nil, err
	}
	a, err := c.verifyAccess(*req.AccessToken)
	if err != nil {
		return nil, err
	}
	_, err = c.api.cfg.Accounts.SetMFAPreference(c.ctx, a.pool, a.user.Sub, pref)
	return nil, err
}

func adminSetUserMFAPreference(c *call) (any, error) {
	var req struct {
		userRequest
		mfaPreferenceRequest
	}
	p, err := c.target(&req, &req.userRequest, nil)
	if err != nil {
		return nil, err
	}
	pref, err := req.preference()
	if err != nil {
		return nil, err
	}
	u, err := c.api.cfg.Accounts.Lookup(c.ctx, p, *req.Username)
	if err != nil {
		return nil, err
	}
	_, err = c.api.cfg.Accounts.SetMFAPreference(c.ctx, p, u.Sub, pref)
	return nil, err
}

// mfaSettings are the MFA members of GetUser and AdminGetUser: the
// preferred factor and the enabled ones (the TOTP factor once its device
// is verified); MFAOptions, Cognito's legacy SMS list, is always empty.
type mfaSettings struct {
	MFAOptions          []struct{} `json:"MFAOptions"`
	PreferredMfaSetting string     `json:"PreferredMfaSetting,omitempty"`
	UserMFASettingList  []string   `json:"UserMFASettingList,omitempty"`
}

func newMFASettings(u pool.User) mfaSettings {
	return mfaSettings{MFAOptions: []struct{}{}, PreferredMfaSetting: u.MFA.Preferred, UserMFASettingList: u.MFA.EnabledFactors()}
}
