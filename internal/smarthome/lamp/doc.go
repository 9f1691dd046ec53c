// Package lamp is the SmartLamp device model: pure functions that apply
// one Alexa directive (or a switch press) to a skillstore.Lamp and return the
// new state. It performs no I/O; the skill loads and stores lamps.
//
// The semantics follow Amazon's expected-state test plans for lights
// (alexa-samples/alexa-smarthome capability_evaluations, test cases named
// in the comments):
//
//   - TurnOff keeps brightness and colour; TurnOn restores them (Bulb_1.0,
//     Bulb_2.0). TurnOn after the lamp was dimmed to 0 restores full
//     brightness, 100 (DevRe_9.1).
//   - SetBrightness 0 turns the lamp off (DevRe_9.0).
//   - AdjustBrightness clamps to 0..100 (DevRe_4.0, DevRe_7.0); reaching 0
//     turns the lamp off (DevRe_10.1). An OFF lamp emits nothing, so a
//     positive delta turns it on at the delta (DevRe_5.0) and a negative
//     delta leaves it off (DevRe_6.0).
//   - Brightness changes keep the colour (Bulb_2.1 to Bulb_2.3).
//   - SetColor, SetColorTemperature and Increase/DecreaseColorTemperature
//     turn an OFF lamp on (Clr_1.1.x, TunWht_1.1, ClrRlt_1.2.x, ClrRlt_1.3.x).
//
// Colour temperature steps: Increase/DecreaseColorTemperature move to the
// next of Alexa's named whites, 2200 K (warm white), 2700 K (soft white),
// 4000 K (white), 5500 K (daylight) and 7000 K (cool white), extended by
// the ends of the supported range, 1000 K and 10000 K, so that the plans'
// "greater than 7000" (ClrRlt_1.0.2) and "less than 2200" (ClrRlt_1.1.2)
// hold. From a value between two stops the lamp moves to the next stop in
// the requested direction; at an end it stays there. Alexa's own steps are
// not documented; named whites keep the lamp on values a user can name.
package lamp
