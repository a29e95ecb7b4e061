// conf-echo prints what nats-server's own config parser makes of a file, as JSON, written for
// nats-warden's conf writer tests: the property test writes strings through src/render/conf-writer.ts
// and compares them with what this program reads back.
//
// It parses the way nats-server does when it loads its configuration (conf.ParseFileWithChecks, the
// call behind server.ProcessConfigFile), so includes are followed and $variables resolved the same
// way. A string or key that is not valid UTF-8 is an error rather than a silent U+FFFD from the JSON
// encoder, so a writer that emits stray bytes cannot pass by accident.
//
// tools.ts copies this file into a throwaway wrapper module that requires
// github.com/nats-io/nats-server/v2 at the version pinned in versions.json and builds it.
//
//	conf-echo FILE   prints the parsed configuration as one JSON object; exit 1 with the parser's error
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"unicode/utf8"

	"github.com/nats-io/nats-server/v2/conf"
)

// valued is what the pedantic parser wraps every value in (its token type is unexported).
type valued interface{ Value() any }

// plain unwraps the parser's tokens and checks that every key and string is valid UTF-8.
func plain(v any, at string) (any, error) {
	if t, ok := v.(valued); ok {
		v = t.Value()
	}
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return nil, fmt.Errorf("%s: string %q is not valid UTF-8", at, x)
		}
		return x, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, item := range x {
			if !utf8.ValidString(k) {
				return nil, fmt.Errorf("%s: key %q is not valid UTF-8", at, k)
			}
			p, err := plain(item, fmt.Sprintf("%s.%q", at, k))
			if err != nil {
				return nil, err
			}
			out[k] = p
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			p, err := plain(item, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	}
	return v, nil
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: conf-echo FILE")
		os.Exit(2)
	}
	parsed, err := conf.ParseFileWithChecks(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := plain(parsed, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
