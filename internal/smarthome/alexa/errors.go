package alexa

// ErrorType is the type of an ErrorResponse payload. Alexa shares the type
// with the customer; the message is for the skill developer only (docs
// "Alexa.ErrorResponse Interface").
type ErrorType string

// The error types of Alexa.ErrorResponse, all of the schema's enum.
const (
	ErrAlreadyInOperation         ErrorType = "ALREADY_IN_OPERATION"
	ErrBridgeUnreachable          ErrorType = "BRIDGE_UNREACHABLE"
	ErrCloudControlDisabled       ErrorType = "CLOUD_CONTROL_DISABLED"
	ErrEndpointBusy               ErrorType = "ENDPOINT_BUSY"
	ErrEndpointLowPower           ErrorType = "ENDPOINT_LOW_POWER"
	ErrEndpointUnreachable        ErrorType = "ENDPOINT_UNREACHABLE"
	ErrExpiredAuthorization       ErrorType = "EXPIRED_AUTHORIZATION_CREDENTIAL"
	ErrFirmwareOutOfDate          ErrorType = "FIRMWARE_OUT_OF_DATE"
	ErrHardwareMalfunction        ErrorType = "HARDWARE_MALFUNCTION"
	ErrInsufficientPermissions    ErrorType = "INSUFFICIENT_PERMISSIONS"
	ErrInternal                   ErrorType = "INTERNAL_ERROR"
	ErrInvalidAuthorization       ErrorType = "INVALID_AUTHORIZATION_CREDENTIAL"
	ErrInvalidDirective           ErrorType = "INVALID_DIRECTIVE"
	ErrInvalidValue               ErrorType = "INVALID_VALUE"
	ErrNoSuchEndpoint             ErrorType = "NO_SUCH_ENDPOINT"
	ErrNotCalibrated              ErrorType = "NOT_CALIBRATED"
	ErrNotSupportedInCurrentMode  ErrorType = "NOT_SUPPORTED_IN_CURRENT_MODE"
	ErrNotInOperation             ErrorType = "NOT_IN_OPERATION"
	ErrPowerLevelNotSupported     ErrorType = "POWER_LEVEL_NOT_SUPPORTED"
	ErrRateLimitExceeded          ErrorType = "RATE_LIMIT_EXCEEDED"
	ErrValueOutOfRange            ErrorType = "VALUE_OUT_OF_RANGE"
	ErrTemperatureValueOutOfRange ErrorType = "TEMPERATURE_VALUE_OUT_OF_RANGE"
	ErrTooManyFailedAttempts      ErrorType = "TOO_MANY_FAILED_ATTEMPTS"
	ErrPartnerOutage              ErrorType = "PARTNER_OUTAGE"
	ErrHDMICECNotPresent          ErrorType = "HDMI_CEC_NOT_PRESENT"
	ErrHDMICECDisabledOnDevice    ErrorType = "HDMI_CEC_DISABLED_ON_DEVICE"
)

// AllErrorTypes lists the Alexa.ErrorResponse types in schema order.
var AllErrorTypes = []ErrorType{
	ErrAlreadyInOperation, ErrBridgeUnreachable, ErrCloudControlDisabled, ErrEndpointBusy,
	ErrEndpointLowPower, ErrEndpointUnreachable, ErrExpiredAuthorization, ErrFirmwareOutOfDate,
	ErrHardwareMalfunction, ErrInsufficientPermissions, ErrInternal, ErrInvalidAuthorization,
	ErrInvalidDirective, ErrInvalidValue, ErrNoSuchEndpoint, ErrNotCalibrated,
	ErrNotSupportedInCurrentMode, ErrNotInOperation, ErrPowerLevelNotSupported, ErrRateLimitExceeded,
	ErrValueOutOfRange, ErrTemperatureValueOutOfRange, ErrTooManyFailedAttempts, ErrPartnerOutage,
	ErrHDMICECNotPresent, ErrHDMICECDisabledOnDevice,
}

// ErrAcceptGrantFailed is the only error of Alexa.Authorization: AcceptGrant
// could not be completed, and account linking fails in the Alexa app.
const ErrAcceptGrantFailed ErrorType = "ACCEPT_GRANT_FAILED"

// Interface-specific error types of the schema (namespace in brackets).
const (
	// [Alexa.ThermostatController]
	ErrRequestedSetpointsTooClose ErrorType = "REQUESTED_SETPOINTS_TOO_CLOSE"
	ErrThermostatIsOff            ErrorType = "THERMOSTAT_IS_OFF"
	ErrUnsupportedThermostatMode  ErrorType = "UNSUPPORTED_THERMOSTAT_MODE"
	ErrDualSetpointsUnsupported   ErrorType = "DUAL_SETPOINTS_UNSUPPORTED"
	ErrTripleSetpointsUnsupported ErrorType = "TRIPLE_SETPOINTS_UNSUPPORTED"
	ErrUnwillingToSetSchedule     ErrorType = "UNWILLING_TO_SET_SCHEDULE"
	ErrUnwillingToSetValue        ErrorType = "UNWILLING_TO_SET_VALUE"
	// [Alexa.SecurityPanelController]
	ErrAuthorizationRequired      ErrorType = "AUTHORIZATION_REQUIRED"
	ErrBypassNeeded               ErrorType = "BYPASS_NEEDED"
	ErrNotReady                   ErrorType = "NOT_READY"
	ErrUnauthorized               ErrorType = "UNAUTHORIZED"
	ErrUnclearedAlarm             ErrorType = "UNCLEARED_ALARM"
	ErrUnclearedTrouble           ErrorType = "UNCLEARED_TROUBLE"
	ErrNoActiveMonitorableDevices ErrorType = "NO_ACTIVE_MONITORABLE_DEVICES"
	// [Alexa.Cooking]
	ErrChildLock               ErrorType = "CHILD_LOCK"
	ErrDoorClosedTooLong       ErrorType = "DOOR_CLOSED_TOO_LONG"
	ErrDoorOpen                ErrorType = "DOOR_OPEN"
	ErrPreheatRequired         ErrorType = "PREHEAT_REQUIRED"
	ErrProbeRequired           ErrorType = "PROBE_REQUIRED"
	ErrRemoteStartNotSupported ErrorType = "REMOTE_START_NOT_SUPPORTED"
	ErrRemoveProbe             ErrorType = "REMOVE_PROBE"
	ErrRemoteStartDisabled     ErrorType = "REMOTE_START_DISABLED"
	ErrCookDurationTooLong     ErrorType = "COOK_DURATION_TOO_LONG"
)

// DeviceMode is the currentDeviceMode of NOT_SUPPORTED_IN_CURRENT_MODE.
type DeviceMode string

// Device modes.
const (
	ModeColor          DeviceMode = "COLOR"
	ModeAsleep         DeviceMode = "ASLEEP"
	ModeNotProvisioned DeviceMode = "NOT_PROVISIONED"
	ModeOther          DeviceMode = "OTHER"
)

// ValidRange is the validRange of VALUE_OUT_OF_RANGE.
type ValidRange struct {
	MinimumValue float64 `json:"minimumValue"`
	MaximumValue float64 `json:"maximumValue"`
}

// Temperature is a temperature with its scale (CELSIUS, FAHRENHEIT, KELVIN).
type Temperature struct {
	Value float64 `json:"value"`
	Scale string  `json:"scale"`
}

// TemperatureRange is the validRange of TEMPERATURE_VALUE_OUT_OF_RANGE.
type TemperatureRange struct {
	MinimumValue Temperature `json:"minimumValue"`
	MaximumValue Temperature `json:"maximumValue"`
}

// BypassEndpoint is one entry of BYPASS_NEEDED's endpointsNeedingBypass.
type BypassEndpoint struct {
	FriendlyName string `json:"friendlyName"`
	EndpointID   string `json:"endpointId,omitempty"`
}

// Error is an ErrorResponse a handler returns. The fields after Message
// are the extra payload fields some types require or allow; set only the
// one that belongs to Type.
type Error struct {
	// Namespace of the ErrorResponse: "" means "Alexa"; Alexa.Authorization,
	// Alexa.ThermostatController, Alexa.SecurityPanelController and
	// Alexa.Cooking have their own ErrorResponse.
	Namespace string
	Type      ErrorType
	// Message is for the skill developer and Amazon's logs, never shown to
	// the customer. It must not contain tokens or secrets.
	Message string

	ValidRange              *ValidRange       // VALUE_OUT_OF_RANGE
	TemperatureRange        *TemperatureRange // TEMPERATURE_VALUE_OUT_OF_RANGE
	CurrentDeviceMode       DeviceMode        // NOT_SUPPORTED_IN_CURRENT_MODE (required)
	PercentageState         *float64          // ENDPOINT_LOW_POWER
	MinimumTemperatureDelta *Temperature      // REQUESTED_SETPOINTS_TOO_CLOSE (required)
	EndpointsNeedingBypass  []BypassEndpoint  // BYPASS_NEEDED
	MaxCookTime             string            // COOK_DURATION_TOO_LONG (required, ISO 8601 duration)
}

func (e *Error) Error() string { return "alexa: " + string(e.Type) + ": " + e.Message }

// ErrorName is the error type, how the error is named in traces.
func (e *Error) ErrorName() string { return string(e.Type) }

// NewError returns an Alexa.ErrorResponse error of type t.
func NewError(t ErrorType, msg string) *Error { return &Error{Type: t, Message: msg} }

// ValueOutOfRange is VALUE_OUT_OF_RANGE with the accepted range.
func ValueOutOfRange(msg string, minimum, maximum float64) *Error {
	return &Error{Type: ErrValueOutOfRange, Message: msg, ValidRange: &ValidRange{MinimumValue: minimum, MaximumValue: maximum}}
}

// NotSupportedInCurrentMode is NOT_SUPPORTED_IN_CURRENT_MODE in mode.
func NotSupportedInCurrentMode(msg string, mode DeviceMode) *Error {
	return &Error{Type: ErrNotSupportedInCurrentMode, Message: msg, CurrentDeviceMode: mode}
}

// EndpointLowPower is ENDPOINT_LOW_POWER with the battery percentage.
func EndpointLowPower(msg string, percentage float64) *Error {
	return &Error{Type: ErrEndpointLowPower, Message: msg, PercentageState: &percentage}
}

// TemperatureValueOutOfRange is TEMPERATURE_VALUE_OUT_OF_RANGE.
func TemperatureValueOutOfRange(msg string, minimum, maximum Temperature) *Error {
	return &Error{Type: ErrTemperatureValueOutOfRange, Message: msg,
		TemperatureRange: &TemperatureRange{MinimumValue: minimum, MaximumValue: maximum}}
}

// AcceptGrantFailed is the Alexa.Authorization ErrorResponse.
func AcceptGrantFailed(msg string) *Error {
	return &Error{Namespace: NamespaceAuthorization, Type: ErrAcceptGrantFailed, Message: msg}
}

type errorPayload struct {
	Type                    ErrorType        `json:"type"`
	Message                 string           `json:"message"`
	ValidRange              any              `json:"validRange,omitempty"`
	CurrentDeviceMode       DeviceMode       `json:"currentDeviceMode,omitempty"`
	PercentageState         *float64         `json:"percentageState,omitempty"`
	MinimumTemperatureDelta *Temperature     `json:"minimumTemperatureDelta,omitempty"`
	EndpointsNeedingBypass  []BypassEndpoint `json:"endpointsNeedingBypass,omitempty"`
	MaxCookTime             string           `json:"maxCookTime,omitempty"`
}

// Reply renders e as the ErrorResponse to d: the correlation token is
// echoed and, except for Alexa.Authorization (whose ErrorResponse has no
// endpoint), the directive's endpoint is named.
func (e *Error) Reply(d *Directive) Message {
	ns := e.Namespace
	if ns == "" {
		ns = NamespaceAlexa
	}
	p := errorPayload{
		Type:                    e.Type,
		Message:                 e.Message,
		CurrentDeviceMode:       e.CurrentDeviceMode,
		PercentageState:         e.PercentageState,
		MinimumTemperatureDelta: e.MinimumTemperatureDelta,
		EndpointsNeedingBypass:  e.EndpointsNeedingBypass,
		MaxCookTime:             e.MaxCookTime,
	}
	switch {
	case e.ValidRange != nil:
		p.ValidRange = e.ValidRange
	case e.TemperatureRange != nil:
		p.ValidRange = e.TemperatureRange
	}
	var correlation string
	var endpoint *Endpoint
	if d != nil {
		correlation = d.Header.CorrelationToken
		if ns != NamespaceAuthorization {
			endpoint = d.replyEndpoint()
		}
	}
	return newMessage(ns, "ErrorResponse", correlation, endpoint, p, nil)
}
