package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"github.com/mudd/mudd/engine/state"
	"github.com/mudd/mudd/engine/store"
)

// Name rules for new characters.
const (
	minNameLen     = 3
	maxNameLen     = 16
	minPasswordLen = 8
	maxPasswordLen = 72 // bcrypt's limit
)

var reservedNames = map[string]bool{
	"admin": true, "administrator": true, "all": true, "self": true, "someone": true,
	"god": true, "wizard": true, "builder": true, "player": true, "root": true, "system": true,
	"new": true, "quit": true, "guest": true, "mudd": true, "server": true, "sysop": true,
	"console": true,
}

// ValidName checks a new character's name: letters only, 3–16 of them, not a reserved word.
func ValidName(name string) error {
	if n := len([]rune(name)); n < minNameLen || n > maxNameLen {
		return fmt.Errorf("a name has %d to %d letters", minNameLen, maxNameLen)
	}
	for _, r := range name {
		if r > unicode.MaxASCII || !unicode.IsLetter(r) {
			return errors.New("a name has letters (a–z) only")
		}
	}
	if reservedNames[strings.ToLower(name)] {
		return errors.New("that name is reserved")
	}
	return nil
}

// canonicalName capitalises a name: "aLICE" → "Alice".
func canonicalName(name string) string {
	if name == "" {
		return ""
	}
	return strings.ToUpper(name[:1]) + strings.ToLower(name[1:])
}

// login runs the login dialogue on the session's reader goroutine. It reports the account
// to play, or false when the connection should end.
func (e *Engine) login(ctx context.Context, s *session) (store.Account, bool) {
	deadline := time.Now().Add(e.cfg.LoginTimeout)
	game := e.shown.Load() // e.game belongs to the loop, and a reload may change it
	greeting := game.Greeting
	if greeting == "" {
		greeting = "Welcome to " + game.Name + "!"
	}
	s.send(Output{Text: strings.TrimRight(greeting, "\n") + "\n\n"})
	for {
		s.send(Output{Prompt: "By what name do you wish to be known? "})
		name, err := e.loginRead(s, deadline)
		if err != nil {
			return store.Account{}, false
		}
		if name == "" {
			continue
		}
		if name == "MSSP-REQUEST" {
			s.send(Output{Text: e.msspText(), Verbatim: true, Close: true})
			return store.Account{}, false
		}
		if b, banned := e.bans.Load().name(name, e.now()); banned {
			e.log.Info("banned name refused", "name", name, "session", s.id, "addr", s.addr)
			s.send(Output{Text: banMessage(b, e.now()) + "\n", Close: true})
			return store.Account{}, false
		}
		acct, err := e.store.Account(ctx, name)
		switch {
		case err == nil:
			return e.authenticate(ctx, s, acct, deadline)
		case errors.Is(err, store.ErrNotFound):
			if acct, ok, retry := e.create(ctx, s, name, deadline); !retry {
				return acct, ok
			}
		default:
			e.log.Error("account lookup failed; login refused", "name", name, "session", s.id, "addr", s.addr, "err", err)
			s.send(Output{Text: "The game cannot read accounts right now. Please try again later.\n", Close: true})
			return store.Account{}, false
		}
	}
}

// authenticate asks for acct's password, with lockout after repeated failures.
func (e *Engine) authenticate(ctx context.Context, s *session, acct store.Account, deadline time.Time) (store.Account, bool) {
	key := state.Key(acct.Name)
	for failures := 0; ; {
		if left := e.lockout.remaining(key, time.Now()); left > 0 {
			s.send(Output{Text: fmt.Sprintf("%s is locked after failed logins. Try again in %s.\n",
				acct.Name, left.Round(time.Second)), Close: true})
			return store.Account{}, false
		}
		pw, err := e.askHidden(s, "Password: ", deadline)
		if err != nil {
			return store.Account{}, false
		}
		if e.checkPassword(acct.PasswordHash, pw) {
			if err := e.store.RecordLogin(ctx, acct.Name, s.addr, time.Now()); err != nil {
				e.log.Warn("record login failed", "name", acct.Name, "err", err)
			}
			e.log.Info("login", "name", acct.Name, "session", s.id, "addr", s.addr)
			return acct, true
		}
		failures++
		e.log.Warn("wrong password", "name", acct.Name, "session", s.id, "addr", s.addr, "failures", failures)
		if failures >= e.cfg.MaxLoginFailures {
			e.lockout.lock(key, time.Now().Add(e.cfg.LockoutDuration))
			e.log.Warn("name locked after failed logins", "name", acct.Name, "addr", s.addr, "for", e.cfg.LockoutDuration)
			s.send(Output{Text: "Too many wrong passwords. Goodbye.\n", Close: true})
			return store.Account{}, false
		}
		s.send(Output{Text: "Wrong password.\n"})
	}
}

// create makes a new account. retry reports that the dialogue should ask for a name again.
func (e *Engine) create(ctx context.Context, s *session, name string, deadline time.Time) (acct store.Account, ok, retry bool) {
	if err := ValidName(name); err != nil {
		s.send(Output{Text: fmt.Sprintf("That name won't do: %v.\n", err)})
		return acct, false, true
	}
	name = canonicalName(name)
	s.send(Output{Prompt: fmt.Sprintf("Create a new character named %s? (yes/no) ", name)})
	answer, err := e.loginRead(s, deadline)
	if err != nil {
		return acct, false, false
	}
	if !strings.HasPrefix(strings.ToLower(answer), "y") {
		return acct, false, true
	}
	pw, ok := e.choosePassword(s, deadline)
	if !ok {
		return acct, false, false
	}
	hash, err := e.hashPassword(pw)
	if err != nil {
		e.log.Error("password hash failed; login refused", "name", name, "session", s.id, "addr", s.addr, "err", err)
		s.send(Output{Text: "The game cannot create accounts right now. Please try again later.\n", Close: true})
		return acct, false, false
	}
	acct = store.Account{Name: name, PasswordHash: hash, Role: RolePlayer.String(),
		CreatedAt: time.Now(), LastLoginAt: time.Now(), LastAddr: s.addr}
	switch err := e.store.CreateAccount(ctx, acct); {
	case errors.Is(err, store.ErrExists):
		s.send(Output{Text: "Someone took that name a moment ago. Please choose another.\n"})
		return acct, false, true
	case err != nil:
		e.log.Error("create account failed; login refused", "name", name, "session", s.id, "addr", s.addr, "err", err)
		s.send(Output{Text: "The game cannot create accounts right now. Please try again later.\n", Close: true})
		return acct, false, false
	}
	e.log.Info("new character", "name", name, "session", s.id, "addr", s.addr)
	return acct, true, false
}

// choosePassword asks for a new password twice until both match and it is acceptable.
func (e *Engine) choosePassword(s *session, deadline time.Time) (string, bool) {
	for {
		pw, err := e.askHidden(s, fmt.Sprintf("Choose a password (%d or more characters): ", minPasswordLen), deadline)
		if err != nil {
			return "", false
		}
		if msg := passwordProblem(pw); msg != "" {
			s.send(Output{Text: msg + "\n"})
			continue
		}
		again, err := e.askHidden(s, "Type it again: ", deadline)
		if err != nil {
			return "", false
		}
		if again != pw {
			s.send(Output{Text: "The passwords don't match.\n"})
			continue
		}
		return pw, true
	}
}

func passwordProblem(pw string) string {
	switch {
	case len([]rune(pw)) < minPasswordLen:
		return fmt.Sprintf("A password has at least %d characters.", minPasswordLen)
	case len(pw) > maxPasswordLen:
		return fmt.Sprintf("A password has at most %d bytes.", maxPasswordLen)
	}
	return ""
}

// askHidden shows prompt, reads one line with the client's echo off, and turns echo back on.
func (e *Engine) askHidden(s *session, prompt string, deadline time.Time) (string, error) {
	s.send(Output{Prompt: prompt, Hide: true})
	line, err := e.loginRead(s, deadline)
	s.send(Output{Text: "\n", Show: true})
	return line, err
}

// loginRead reads a line of the login dialogue. When there is none, because the time to log
// in ran out or the connection ended, it says why in the log, and tells the player when the
// time ran out.
func (e *Engine) loginRead(s *session, deadline time.Time) (string, error) {
	line, err := e.readLine(s, deadline)
	if err == nil {
		return line, nil
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(deadline) {
		e.log.Info("login timed out", "session", s.id, "addr", s.addr, "after", e.cfg.LoginTimeout)
		s.send(Output{Text: fmt.Sprintf("\nYou took longer than %s to log in. Goodbye.\n", e.cfg.LoginTimeout), Close: true})
	} else {
		e.log.Info("login abandoned", "session", s.id, "addr", s.addr, "err", err)
	}
	return line, err
}

// hashPassword hashes pw with bcrypt, at most len(hashSlots) at a time.
func (e *Engine) hashPassword(pw string) (string, error) {
	e.hashSlots <- struct{}{}
	defer func() { <-e.hashSlots }()
	h, err := bcrypt.GenerateFromPassword([]byte(pw), e.cfg.BcryptCost)
	return string(h), err
}

func (e *Engine) checkPassword(hash, pw string) bool {
	e.hashSlots <- struct{}{}
	defer func() { <-e.hashSlots }()
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// lockout remembers names locked after failed logins. It is shared by session goroutines.
type lockout struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func newLockout() *lockout { return &lockout{until: make(map[string]time.Time)} }

func (l *lockout) lock(key string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.until[key] = until
}

func (l *lockout) remaining(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	until, ok := l.until[key]
	if !ok {
		return 0
	}
	if !now.Before(until) {
		delete(l.until, key)
		return 0
	}
	return until.Sub(now)
}
