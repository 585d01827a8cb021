package engine

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
)

// Kinds of ban.
const (
	banName = "name"
	banIP   = "ip"
	banCIDR = "cidr"
)

// banList is an immutable set of bans. The loop builds a new list for every change and
// publishes it through Engine.bans (an atomic pointer); session goroutines read the list
// they load, so checking a ban never takes a lock nor touches world state.
type banList struct {
	bans []store.Ban
}

// with returns a copy of l with b added, replacing a ban of the same kind and value.
func (l *banList) with(b store.Ban) *banList {
	out := &banList{bans: make([]store.Ban, 0, len(l.all())+1)}
	for _, old := range l.all() {
		if old.Kind != b.Kind || old.Value != b.Value {
			out.bans = append(out.bans, old)
		}
	}
	out.bans = append(out.bans, b)
	return out
}

// without returns a copy of l without the ban of kind and value, and whether it was there.
func (l *banList) without(kind, value string) (*banList, bool) {
	out := &banList{}
	found := false
	for _, old := range l.all() {
		if old.Kind == kind && old.Value == value {
			found = true
			continue
		}
		out.bans = append(out.bans, old)
	}
	return out, found
}

func (l *banList) all() []store.Ban {
	if l == nil {
		return nil
	}
	return l.bans
}

// active lists the bans that have not expired at now.
func (l *banList) active(now time.Time) []store.Ban {
	var out []store.Ban
	for _, b := range l.all() {
		if banActive(b, now) {
			out = append(out, b)
		}
	}
	return out
}

func banActive(b store.Ban, now time.Time) bool { return b.Until.IsZero() || now.Before(b.Until) }

// name finds an active ban of the character name.
func (l *banList) name(name string, now time.Time) (store.Ban, bool) {
	key := state.Key(name)
	for _, b := range l.all() {
		if b.Kind == banName && b.Value == key && banActive(b, now) {
			return b, true
		}
	}
	return store.Ban{}, false
}

// addr finds an active ban of an IP address or a block that holds it.
func (l *banList) addr(addr string, now time.Time) (store.Ban, bool) {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return store.Ban{}, false
	}
	ip = plainAddr(ip)
	for _, b := range l.all() {
		if !banActive(b, now) {
			continue
		}
		switch b.Kind {
		case banIP:
			if a, err := netip.ParseAddr(b.Value); err == nil && plainAddr(a) == ip {
				return b, true
			}
		case banCIDR:
			if p, err := netip.ParsePrefix(b.Value); err == nil && p.Contains(ip) {
				return b, true
			}
		}
	}
	return store.Ban{}, false
}

// plainAddr is a without what keeps the same host from comparing equal: an IPv4 address
// mapped into IPv6 is unmapped, and the zone of a link-local address (its interface) is
// dropped, as prefixes never contain a zoned address.
func plainAddr(a netip.Addr) netip.Addr { return a.Unmap().WithZone("") }

// banMessage is what a banned connection or character is told.
func banMessage(b store.Ban, now time.Time) string {
	what := "This address is"
	if b.Kind == banName {
		what = "That character is"
	}
	msg := what + " banned from this game"
	if b.Until.IsZero() {
		msg += " permanently"
	} else {
		msg += fmt.Sprintf(" until %s (%s from now)", b.Until.UTC().Format("2006-01-02 15:04 UTC"),
			b.Until.Sub(now).Round(time.Second))
	}
	if b.Reason != "" {
		msg += ". Reason: " + b.Reason
	}
	return msg + "."
}

// parseBanTarget reads what a ban names: an IP address, a CIDR block or a character name.
// It returns the ban's kind and canonical value.
func parseBanTarget(s string) (kind, value string, err error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return "", "", fmt.Errorf("%q is not a CIDR block like 10.0.0.0/8", s)
		}
		p = p.Masked()
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), max(p.Bits()-96, 0))
		}
		return banCIDR, p.String(), nil
	}
	if a, err := netip.ParseAddr(s); err == nil {
		if a.Zone() != "" {
			return "", "", fmt.Errorf("%q has a zone; ban the address without it", s)
		}
		return banIP, a.Unmap().String(), nil
	}
	if strings.ContainsAny(s, ".:") {
		return "", "", fmt.Errorf("%q is not an IP address", s)
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return "", "", fmt.Errorf("%q is not a name, an IP address or a CIDR block", s)
		}
	}
	if s == "" {
		return "", "", errors.New("ban whom?")
	}
	return banName, state.Key(s), nil
}

// maxBanDuration is the longest ban duration accepted; longer bans are permanent bans.
const maxBanDuration = 100 * 365 * 24 * time.Hour

// parseDuration reads a ban duration: a number followed by s, m, h, d or w ("30m", "7d").
func parseDuration(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, fmt.Errorf("%q is not a duration like 30m, 2h or 7d", s)
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour,
		'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	n, err := strconv.ParseUint(s[:len(s)-1], 10, 32)
	if unit == 0 || err != nil || n == 0 {
		return 0, fmt.Errorf("%q is not a duration like 30m, 2h or 7d", s)
	}
	d := time.Duration(n) * unit
	if d > maxBanDuration || d/unit != time.Duration(n) {
		return 0, fmt.Errorf("%q is too long; leave the duration out for a permanent ban", s)
	}
	return d, nil
}

// parseBan reads the arguments of the ban command: target [duration] [reason].
func parseBan(args string, by string, now time.Time) (store.Ban, error) {
	target, rest, _ := strings.Cut(strings.TrimSpace(args), " ")
	kind, value, err := parseBanTarget(target)
	if err != nil {
		return store.Ban{}, err
	}
	b := store.Ban{Kind: kind, Value: value, By: by, At: now}
	rest = strings.TrimSpace(rest)
	first, more, _ := strings.Cut(rest, " ")
	if first != "" && first[0] >= '0' && first[0] <= '9' {
		d, err := parseDuration(first)
		if err != nil {
			return store.Ban{}, err
		}
		b.Until = now.Add(d)
		rest = strings.TrimSpace(more)
	}
	b.Reason = rest
	return b, nil
}
