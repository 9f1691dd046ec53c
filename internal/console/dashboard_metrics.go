package console

import (
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/linkpool/linkpool/internal/locales"
)

// dashWindow is a time window of the dashboard's charts.
type dashWindow struct {
	Name       string // the window query parameter
	Span, Step time.Duration
	// Label is the message key of the window's name, StepKey that of
	// its bars' width.
	Label, StepKey string
	// TimeLayout formats the buckets' start times.
	TimeLayout string
}

// dashWindows are the windows: the last hour in five-minute bars (the
// default) and the last day in hourly bars.
var dashWindows = []dashWindow{
	{Name: "hour", Span: time.Hour, Step: 5 * time.Minute, Label: "console.dashboard.window.hour", StepKey: "console.dashboard.step.hour", TimeLayout: "15:04"},
	{Name: "day", Span: 24 * time.Hour, Step: time.Hour, Label: "console.dashboard.window.day", StepKey: "console.dashboard.step.day", TimeLayout: "15:04"},
}

// dashSeries is a line of the dashboard: a message key and the series
// it counts.
type dashSeries struct {
	Key   string
	Match func(string) bool
}

var (
	seriesCodes      = dashSeries{"console.metric.codes", Series(MetricCodesIssued)}
	seriesExchanges  = dashSeries{"console.metric.exchanges", Series(MetricTokenGrants + "/authorization_code")}
	seriesRefreshes  = dashSeries{"console.metric.refreshes", Series(MetricTokenGrants + "/refresh_token")}
	seriesTokenErrs  = dashSeries{"console.metric.token_errors", Family(MetricTokenErrors)}
	seriesSignInFail = dashSeries{"console.metric.sign_in_failures", Family(MetricSignInFailures)}
	seriesLockouts   = dashSeries{"console.metric.lockouts", Series(MetricLockouts)}
)

// dashCharts are the bar charts of a window, each with its series.
var dashCharts = []struct {
	ID, Title string
	Series    []dashSeries
}{
	{"chart-links", "console.chart.links", []dashSeries{seriesCodes, seriesExchanges}},
	{"chart-refreshes", "console.chart.refreshes", []dashSeries{seriesRefreshes}},
	{"chart-sign-in", "console.chart.sign_in", []dashSeries{seriesSignInFail, seriesLockouts}},
}

// metricsView is the dashboard's activity section.
type metricsView struct {
	Window  dashWindow
	Windows []windowLink
	// Deployment is true when the numbers are the store's, of every
	// instance; false when they are this instance's, from memory.
	Deployment bool
	// Unavailable is true when the history could not be read.
	Unavailable bool
	// Reporting is how many instances sampled in the last
	// reportingWindow.
	Reporting int
	// Since is when the counting began, set when that is within the
	// window (the window is not full yet).
	Since string
	// Totals are the counts of the last hour and the last day.
	Totals []totalRow
	Charts []chartView
	// Errors is the token errors by OAuth error code over the hour and
	// the day; ErrorChart draws the window's.
	Errors     []totalRow
	ErrorChart template.HTML
}

// reportingWindow is how recently an instance must have sampled to count
// as reporting.
const reportingWindow = 5 * time.Minute

// windowLink is an entry of the window menu.
type windowLink struct {
	Label, URL string
	Current    bool
}

// totalRow is a line of a table of totals.
type totalRow struct {
	Name      string
	Hour, Day int
}

// chartView is a chart with its legend and its numbers as a table.
type chartView struct {
	ID, Title string
	SVG       template.HTML
	Legend    []string
	Head      []string
	Rows      []chartRow
}

// chartRow is a line of a chart's table: a bucket and its values.
type chartRow struct {
	Time   string
	Values []int
}

// dashboardMetrics returns the activity section of the dashboard for
// the window the request asks for (?window=day; the hour otherwise), or
// nil when the console has no Sampler. It reads the history once, the
// last day's, and computes every number from it.
func (c *Console) dashboardMetrics(r *http.Request, l *locales.Catalog) *metricsView {
	s := c.cfg.Sampler
	if s == nil {
		return nil
	}
	now := c.now()
	v := &metricsView{Window: dashWindows[0], Deployment: s.store != nil}
	for _, w := range dashWindows {
		if r.URL.Query().Get("window") == w.Name {
			v.Window = w
		}
	}
	for _, w := range dashWindows {
		q := url.Values{"window": {w.Name}}
		v.Windows = append(v.Windows, windowLink{Label: l.T(w.Label), URL: "/console/?" + q.Encode(), Current: w.Name == v.Window.Name})
	}
	hour, day := Window(now, dashWindows[0].Span, dashWindows[0].Step), Window(now, dashWindows[1].Span, dashWindows[1].Step)
	// From the day's start on: the marker of a sample at its very start
	// tells that the day is full.
	incs, err := s.History(r.Context(), day.Start)
	if err != nil {
		c.cfg.Log.Warn("console: read the metric history", "error", err)
		v.Unavailable = true
		return v
	}
	v.Reporting = len(Reporting(incs, now.Add(-reportingWindow)))
	total := func(b Buckets, match func(string) bool) int { return int(Total(incs, b, match)) }
	for _, ds := range []dashSeries{seriesCodes, seriesExchanges, seriesRefreshes, seriesTokenErrs, seriesSignInFail, seriesLockouts} {
		v.Totals = append(v.Totals, totalRow{Name: l.T(ds.Key), Hour: total(hour, ds.Match), Day: total(day, ds.Match)})
	}

	w := Window(now, v.Window.Span, v.Window.Step)
	if since := Since(incs); since.IsZero() || since.After(w.Start) {
		if since.IsZero() {
			since = now
		}
		v.Since = since.UTC().Format("2006-01-02 15:04 UTC")
	}
	labels, spans := make([]string, w.N), make([]string, w.N)
	for i := range w.N {
		start, end := w.Bounds(i)
		labels[i] = start.Format(v.Window.TimeLayout)
		spans[i] = start.Format(v.Window.TimeLayout) + "–" + end.Format(v.Window.TimeLayout) + " UTC"
	}
	step := l.T(v.Window.StepKey)
	for _, dc := range dashCharts {
		ch := barChart{ID: dc.ID, Title: l.T(dc.Title) + " · " + l.T(v.Window.Label), Labels: labels, Spans: spans}
		cv := chartView{ID: dc.ID, Title: ch.Title, Head: []string{l.T("console.chart.time")}}
		desc := ""
		for _, ds := range dc.Series {
			counts := Counts(incs, w, ds.Match)
			vals := make([]int, len(counts))
			sum := 0
			for i, x := range counts {
				vals[i] = int(x)
				sum += vals[i]
			}
			name := l.T(ds.Key)
			ch.Series = append(ch.Series, chartSeries{Name: name, Values: vals})
			cv.Legend = append(cv.Legend, name)
			cv.Head = append(cv.Head, name)
			if desc != "" {
				desc += "; "
			}
			desc += l.T("console.chart.series_total", "name", name, "n", sum)
		}
		ch.Desc = l.T("console.chart.desc", "totals", desc, "start", w.Start.Format("15:04"), "end", w.End.Format("15:04"), "step", step)
		for i := range w.N {
			row := chartRow{Time: spans[i]}
			for _, sr := range ch.Series {
				row.Values = append(row.Values, sr.Values[i])
			}
			cv.Rows = append(cv.Rows, row)
		}
		cv.SVG = ch.SVG()
		v.Charts = append(v.Charts, cv)
	}

	codes := Labels(incs, MetricTokenErrors)
	errs := hbarChart{ID: "chart-token-errors", Title: l.T("console.chart.token_errors") + " · " + l.T(v.Window.Label)}
	for _, code := range codes {
		m := Series(MetricTokenErrors + "/" + code)
		row := totalRow{Name: code, Hour: total(hour, m), Day: total(day, m)}
		v.Errors = append(v.Errors, row)
		errs.Names = append(errs.Names, code)
		errs.Values = append(errs.Values, total(w, m))
	}
	if len(codes) > 0 {
		desc := ""
		for i, code := range errs.Names {
			if desc != "" {
				desc += "; "
			}
			desc += l.T("console.chart.series_total", "name", code, "n", errs.Values[i])
		}
		errs.Desc = l.T("console.chart.desc_codes", "totals", desc, "start", w.Start.Format("15:04"), "end", w.End.Format("15:04"))
		v.ErrorChart = errs.SVG()
	}
	return v
}
