package telnet_test

import (
	"errors"
	"log"
	"net"

	"github.com/mudd/mudd/telnet"
)

// A minimal server: a prompt, a password read with input hidden, and an echo
// loop.
func Example() {
	ln, err := net.Listen("tcp", "127.0.0.1:4000")
	if err != nil {
		log.Fatal(err)
	}
	for {
		nc, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go func() {
			c := telnet.NewConn(nc, telnet.Config{})
			defer c.Close()
			prompt := func(text string) error {
				_, err := c.Write(c.AppendPromptEnd(c.AppendText(nil, text)))
				return err
			}
			if c.Start() != nil || prompt("Password: ") != nil || c.HideInput(true) != nil {
				return
			}
			if _, err := c.ReadLine(); err != nil || c.HideInput(false) != nil {
				return
			}
			c.Write(c.AppendText(nil, "\nWelcome!\n"))
			for {
				line, err := c.ReadLine()
				if errors.Is(err, telnet.ErrLineTooLong) {
					c.Write(c.AppendText(nil, "That line is too long.\n"))
					continue
				}
				if err != nil {
					return
				}
				info := c.Info()
				c.Write(c.AppendText(nil, line+"\n"))
				log.Printf("%s (%dx%d) said %q", info.ClientName, info.Width, info.Height, line)
			}
		}()
	}
}
