//go:build !unix

package engine

import (
	"context"
	"errors"
	"net"
)

const consoleListener = 2

func listenConsole(string) (net.Listener, error) {
	return nil, errors.New("the console socket needs a Unix system")
}

func (e *Engine) acceptConsoles(context.Context, net.Listener) {}
