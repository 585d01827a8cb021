package main

import (
	"runtime/debug"
)

// version is the build's version, set with -ldflags "-X main.version=v1.2.3". When it is
// empty, the version control information Go records in the binary is used.
var version string

// buildVersion names this build: the -X version, or the VCS revision (with "+dirty" for
// uncommitted changes), or the module version, or "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "+dirty"
		}
		return rev
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	return "devel"
}
