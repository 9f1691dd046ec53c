package cognitoapi

// PanicForTest is an action handler that panics.
var PanicForTest = func(*call) (any, error) { panic("test panic") }
