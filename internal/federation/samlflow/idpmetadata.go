package samlflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/crewjam/saml"
	"github.com/crewjam/saml/samlsp"

	"github.com/linkpool/linkpool/internal/federation/upstream"
	"github.com/linkpool/linkpool/internal/pool"
)

// Bounds of the identity providers' metadata.
const (
	// MaxMetadataSize is the largest metadata document read from a
	// MetadataURL, in bytes. One provider's metadata is a few kilobytes.
	MaxMetadataSize = 1 << 20
	// MetadataTTL is how long metadata fetched from a MetadataURL is used
	// before it is fetched again.
	MetadataTTL = time.Hour
	// MetadataMaxStale is how long past MetadataTTL cached metadata is
	// still used when fetching it again fails, so that a provider whose
	// metadata endpoint is briefly down still signs users in.
	MetadataMaxStale = 24 * time.Hour
	// MetadataRetry is how long stale metadata is used without trying
	// again after fetching it failed, so that a hanging metadata
	// endpoint does not hold every sign-in for upstream.CallTimeout.
	MetadataRetry = time.Minute
	// MaxCachedMetadata bounds the metadata cache; the entry fetched
	// longest ago is dropped first.
	MaxCachedMetadata = 256
)

type cachedMetadata struct {
	md      *saml.EntityDescriptor
	fetched time.Time
	retryAt time.Time // after a failed refresh: no new try before then
}

// idpMetadata returns the provider's metadata: parsed from MetadataFile,
// or fetched from MetadataURL through the cache. The cache runs on the
// real clock, whatever time a sign-in is checked at.
func (c *Client) idpMetadata(ctx context.Context, cfg Config) (*saml.EntityDescriptor, error) {
	if file := cfg.Details[pool.DetailMetadataFile]; file != "" {
		md, err := parseMetadata([]byte(file))
		if err != nil {
			return nil, unavailable("the provider's MetadataFile is not valid SAML metadata", err)
		}
		return md, nil
	}
	u := cfg.Details[pool.DetailMetadataURL]
	if u == "" {
		return nil, unavailable("the provider has neither MetadataURL nor MetadataFile", nil)
	}

	now := c.clock()
	c.mu.Lock()
	entry, ok := c.metadata[u]
	c.mu.Unlock()
	stale := ok && now.Before(entry.fetched.Add(MetadataTTL+MetadataMaxStale))
	if ok && (now.Before(entry.fetched.Add(MetadataTTL)) || stale && now.Before(entry.retryAt)) {
		return entry.md, nil
	}

	// The download is shared by every sign-in that waits for it: it runs
	// without the cancellation of the one that started it (CallTimeout
	// still bounds it), and each waiting sign-in stops waiting when its
	// own context ends.
	shared := context.WithoutCancel(ctx)
	ch := c.fetches.DoChan(u, func() (any, error) {
		md, err := c.fetchMetadata(shared, u)
		if err != nil {
			return nil, err
		}
		c.store(u, cachedMetadata{md: md, fetched: now})
		return md, nil
	})
	var v any
	var err error
	select {
	case r := <-ch:
		v, err = r.Val, r.Err
	case <-ctx.Done():
		return nil, unavailable("the sign-in ended while the provider's metadata was being fetched", ctx.Err())
	}
	if err != nil {
		if stale {
			entry.retryAt = now.Add(MetadataRetry)
			c.mu.Lock()
			if cur, ok := c.metadata[u]; ok && cur.fetched.Equal(entry.fetched) {
				c.metadata[u] = entry
			}
			c.mu.Unlock()
			return entry.md, nil
		}
		return nil, err
	}
	return v.(*saml.EntityDescriptor), nil
}

// store caches md for u, dropping the oldest entry when the cache is full.
func (c *Client) store(u string, entry cachedMetadata) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.metadata[u]; !ok && len(c.metadata) >= MaxCachedMetadata {
		oldest := ""
		for k, e := range c.metadata {
			if oldest == "" || e.fetched.Before(c.metadata[oldest].fetched) {
				oldest = k
			}
		}
		delete(c.metadata, oldest)
	}
	c.metadata[u] = entry
}

// fetchMetadata downloads and parses the metadata at u, bounded in time
// and size.
func (c *Client) fetchMetadata(ctx context.Context, u string) (*saml.EntityDescriptor, error) {
	ctx, cancel := context.WithTimeout(ctx, upstream.CallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, unavailable("the provider's MetadataURL is not a valid URL", withoutURL(err))
	}
	req.Header.Set("Accept", "application/samlmetadata+xml, application/xml, text/xml")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, unavailable("the provider's metadata could not be fetched", withoutURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, unavailable(fmt.Sprintf("the provider's metadata endpoint answered HTTP %d", resp.StatusCode), nil)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxMetadataSize+1))
	if err != nil {
		return nil, unavailable("the provider's metadata could not be read", withoutURL(err))
	}
	if len(body) > MaxMetadataSize {
		return nil, unavailable(fmt.Sprintf("the provider's metadata is larger than %d bytes", MaxMetadataSize), nil)
	}
	md, err := parseMetadata(body)
	if err != nil {
		return nil, unavailable("the provider's metadata is not valid SAML metadata", err)
	}
	return md, nil
}

// withoutURL drops the request URL a *url.Error quotes: a MetadataURL's
// query may hold an access key.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// parseMetadata reads an identity provider's metadata: one
// EntityDescriptor, or an EntitiesDescriptor holding exactly one identity
// provider, with a single sign-on service and a signing key.
func parseMetadata(data []byte) (*saml.EntityDescriptor, error) {
	md, err := samlsp.ParseMetadata(data)
	if err != nil {
		return nil, err
	}
	if len(md.IDPSSODescriptors) == 0 {
		return nil, errors.New("no IDPSSODescriptor")
	}
	if md.EntityID == "" {
		return nil, errors.New("no entityID")
	}
	return md, nil
}
