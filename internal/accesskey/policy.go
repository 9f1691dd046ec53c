package accesskey

import (
	"slices"
)

// AccountID is the AWS account id in the ARNs of error messages: linkpool
// has no accounts, so it is always twelve zeros.
const AccountID = "000000000000"

// Allows reports whether the key's policy permits an action on the pool
// poolID ("" for actions outside any pool, such as ListUserPools and
// CreateUserPool, which only an all-pools key may call) that writes when
// write is true.
func (k Key) Allows(poolID string, write bool) bool {
	if write && k.ReadOnly {
		return false
	}
	if k.AllPools {
		return true
	}
	return poolID != "" && slices.Contains(k.PoolIDs, poolID)
}

// Authorize is Allows as the JSON API answers it: nil, or
// AccessDeniedException naming the action (for example
// "DescribeUserPool") and the pool's ARN, as AWS answers a call that IAM
// denies.
func (k Key) Authorize(action, poolID string, write bool) error {
	if k.Allows(poolID, write) {
		return nil
	}
	region := k.Region
	if region == "" {
		region = "us-east-1"
	}
	resource := "arn:aws:cognito-idp:" + region + ":" + AccountID + ":userpool/*"
	if poolID != "" {
		resource = "arn:aws:cognito-idp:" + region + ":" + AccountID + ":userpool/" + printable(poolID, 128)
	}
	return errorf(CodeAccessDenied, "User: arn:aws:iam::%s:user/%s is not authorized to perform: cognito-idp:%s on resource: %s",
		AccountID, k.ID, printable(action, 64), resource)
}

// AccessKeyID is the key's id, its actor id in the audit log.
func (k Key) AccessKeyID() string { return k.ID }
