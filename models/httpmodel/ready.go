package httpmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/replaygate/replaygate/errs"
)

// minProbeTimeout is the least time a readiness probe waits: a server
// busy loading a model may answer slower than it scores.
const minProbeTimeout = 2 * time.Second

const (
	hintUnreachable = "start the model server, or check candidate.model.url (host, port, scheme)"
	hintNotReady    = "the server is up but the model is not ready: wait for it to load, or check the model name in candidate.model.url"
)

// Ready checks that the endpoint is up and its model loaded:
//
//   - kserve-v2: GET {base}/v2/health/ready and, when the URL ends in
//     /v2/models/NAME[/versions/V]/infer, GET .../v2/models/NAME[/versions/V]/ready;
//     status 200 is ready (Triton answers with an empty body).
//   - tfserving: GET the model status, the URL without ":predict"; ready
//     when it answers 200 and, if it lists model_version_status, some
//     version is AVAILABLE.
//   - mlflow: GET /ping beside /invocations, or /health when /ping is not
//     found.
//   - json: no probe.
//
// An unreachable server or a failed probe is a run error with a hint.
func (m *Model) Ready(ctx context.Context) error {
	switch m.o.Protocol {
	case KServeV2:
		p := m.u.Path
		base := *m.u
		base.RawQuery, base.Fragment, base.RawPath = "", "", ""
		model := ""
		if i := strings.Index(p, "/v2/"); i >= 0 {
			base.Path = p[:i]
			if strings.HasPrefix(p[i:], "/v2/models/") && strings.HasSuffix(p, "/infer") {
				model = strings.TrimSuffix(p, "/infer") + "/ready"
			}
		} else {
			base.Path = ""
		}
		if _, _, err := m.probe(ctx, join(base, base.Path+"/v2/health/ready"), true); err != nil {
			return err
		}
		if model != "" {
			_, _, err := m.probe(ctx, join(base, model), true)
			return err
		}
		return nil
	case TFServing:
		p := m.u.Path
		i := strings.LastIndex(p, ":")
		if i < 0 || strings.Contains(p[i:], "/") {
			return m.reachable(ctx) // no :predict verb: no known status URL
		}
		_, body, err := m.probe(ctx, join(*m.u, p[:i]), true)
		if err != nil {
			return err
		}
		var st struct {
			Versions []struct {
				Version string `json:"version"`
				State   string `json:"state"`
			} `json:"model_version_status"`
		}
		if json.Unmarshal(body, &st) != nil || len(st.Versions) == 0 {
			return nil
		}
		var states []string
		for _, v := range st.Versions {
			if v.State == "AVAILABLE" {
				return nil
			}
			states = append(states, fmt.Sprintf("version %s %s", v.Version, v.State))
		}
		return errs.Run(hintNotReady, "http model %s: no model version is AVAILABLE (%s)", m.name, strings.Join(states, ", "))
	case MLflow:
		dir := strings.TrimSuffix(m.u.Path, "/invocations")
		status, _, err := m.probe(ctx, join(*m.u, dir+"/ping"), false)
		if err != nil {
			return err
		}
		if status == http.StatusOK {
			return nil
		}
		if status == http.StatusNotFound {
			_, _, err = m.probe(ctx, join(*m.u, dir+"/health"), true)
			return err
		}
		return errs.Run(hintNotReady, "http model %s: %s answered status %d", m.name, join(*m.u, dir+"/ping").Redacted(), status)
	}
	return m.reachable(ctx)
}

// reachable is the readiness check of an endpoint without a health URL: a
// TCP connection to its host must open, so a server that is not running
// stops the run (exit 4) instead of failing every row.
func (m *Model) reachable(ctx context.Context) error {
	host := m.u.Host
	if m.u.Port() == "" {
		port := "80"
		if m.u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(m.u.Hostname(), port)
	}
	d := net.Dialer{Timeout: 2 * time.Second}
	c, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return errs.Run(hintNotReady, "http model %s: cannot connect to %s: %v", m.name, host, err)
	}
	return c.Close()
}

func join(u url.URL, path string) *url.URL {
	u.Path, u.RawPath, u.RawQuery, u.Fragment = path, "", "", ""
	return &u
}

// probe GETs u. With strict set, any status but 200 is an error.
func (m *Model) probe(ctx context.Context, u *url.URL, strict bool) (int, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, max(m.o.Timeout, minProbeTimeout))
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, nil, errs.Input(hintURL, "http model %s: %v", m.name, err)
	}
	for k, v := range m.o.Headers {
		req.Header.Set(k, v)
	}
	resp, err := m.client.Do(req)
	if err != nil {
		if ue, ok := err.(*url.Error); ok {
			err = ue.Err
		}
		return 0, nil, errs.Run(hintUnreachable, "http model %s: %s is unreachable: %v", m.name, u.Redacted(), err)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if err != nil {
		return 0, nil, errs.Run(hintUnreachable, "http model %s: reading %s: %v", m.name, u.Redacted(), err)
	}
	if strict && resp.StatusCode != http.StatusOK {
		return resp.StatusCode, body, errs.Run(hintNotReady, "http model %s: %s answered %s: %s", m.name, u.Redacted(), resp.Status, serverMessage(body))
	}
	return resp.StatusCode, body, nil
}
