package alexa

// DiscoveryEndpoint describes one device in a Discover.Response (docs
// "Alexa.Discovery Interface": endpointId, manufacturerName, friendlyName,
// description, displayCategories and capabilities are required;
// manufacturerName, friendlyName and description are 1..128 characters).
type DiscoveryEndpoint struct {
	EndpointID           string                `json:"endpointId"`
	ManufacturerName     string                `json:"manufacturerName"`
	FriendlyName         string                `json:"friendlyName"`
	Description          string                `json:"description"`
	DisplayCategories    []string              `json:"displayCategories"`
	AdditionalAttributes *AdditionalAttributes `json:"additionalAttributes,omitempty"`
	Cookie               map[string]string     `json:"cookie,omitempty"`
	Capabilities         []Capability          `json:"capabilities"`
}

// AdditionalAttributes identify the device model to Alexa; each is at
// most 256 characters.
type AdditionalAttributes struct {
	Manufacturer     string `json:"manufacturer,omitempty"`
	Model            string `json:"model,omitempty"`
	SerialNumber     string `json:"serialNumber,omitempty"`
	FirmwareVersion  string `json:"firmwareVersion,omitempty"`
	SoftwareVersion  string `json:"softwareVersion,omitempty"`
	CustomIdentifier string `json:"customIdentifier,omitempty"`
}

// Capability is one interface an endpoint implements.
type Capability struct {
	Type       string                `json:"type"`
	Interface  string                `json:"interface"`
	Version    string                `json:"version"`
	Properties *CapabilityProperties `json:"properties,omitempty"`
}

// CapabilityProperties says which properties an interface reports and how:
// proactivelyReported means the skill sends ChangeReports for them,
// retrievable that Alexa may ask with ReportState.
type CapabilityProperties struct {
	Supported           []SupportedProperty `json:"supported"`
	ProactivelyReported bool                `json:"proactivelyReported"`
	Retrievable         bool                `json:"retrievable"`
}

// SupportedProperty names a property.
type SupportedProperty struct {
	Name string `json:"name"`
}

// DisplayCategoryLight is the display category of a light.
const DisplayCategoryLight = "LIGHT"

// AlexaInterface is the base "Alexa" capability every endpoint declares.
func AlexaInterface() Capability {
	return Capability{Type: "AlexaInterface", Interface: NamespaceAlexa, Version: PayloadVersion}
}

// Interface declares namespace with its properties.
func Interface(namespace string, proactive, retrievable bool, props ...string) Capability {
	c := Capability{Type: "AlexaInterface", Interface: namespace, Version: PayloadVersion}
	if len(props) > 0 {
		sp := make([]SupportedProperty, len(props))
		for i, p := range props {
			sp[i] = SupportedProperty{Name: p}
		}
		c.Properties = &CapabilityProperties{Supported: sp, ProactivelyReported: proactive, Retrievable: retrievable}
	}
	return c
}
