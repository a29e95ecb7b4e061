// argocd-health runs an Argo CD resource health check (the Lua of a
// `resource.customizations.health.<group>_<kind>` key in argocd-cm) on live Kubernetes objects, the
// way Argo CD does: the object as the global `obj`, the script's returned table read for `status`
// and `message`, the status one of Argo CD's health codes. It uses gopher-lua, the interpreter
// Argo CD embeds, not Argo CD itself (whose module needs a newer Go and its own replaces), so the
// e2e specs can check examples/gitops/argo-cd/health-checks.yaml against the same objects kstatus
// judges.
//
// tools.ts copies this file into a throwaway wrapper module that requires github.com/yuin/gopher-lua
// at the version pinned in versions.json and builds it.
//
//	kubectl get KIND NAME -o json | argocd-health SCRIPT.lua
//
// Output: one JSON object, {"status": ..., "message": ...}. Exit 1 when the script fails or returns
// no table or an unknown status.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	lua "github.com/yuin/gopher-lua"
)

// Argo CD's health codes (gitops-engine pkg/health).
var codes = map[string]bool{
	"Healthy": true, "Progressing": true, "Degraded": true, "Suspended": true, "Missing": true, "Unknown": true,
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: argocd-health SCRIPT.lua < object.json")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "argocd-health:", err)
		os.Exit(1)
	}
}

// toLua converts decoded JSON into Lua values as Argo CD does: objects and arrays become tables
// (arrays 1-based), numbers LNumber, null nil.
func toLua(l *lua.LState, v any) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []any:
		t := l.NewTable()
		for _, item := range x {
			t.Append(toLua(l, item))
		}
		return t
	case map[string]any:
		t := l.NewTable()
		for k, item := range x {
			t.RawSetString(k, toLua(l, item))
		}
		return t
	default:
		return lua.LString(fmt.Sprint(x))
	}
}

func run(scriptPath string, in io.Reader, out io.Writer) error {
	script, err := os.ReadFile(scriptPath)
	if err != nil {
		return err
	}
	var obj map[string]any
	if err := json.NewDecoder(in).Decode(&obj); err != nil {
		return fmt.Errorf("reading a JSON object: %w", err)
	}
	l := lua.NewState()
	defer l.Close()
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(string(script)); err != nil {
		return err
	}
	table, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return fmt.Errorf("the script returned %s, not a table", l.Get(-1).Type())
	}
	status := table.RawGetString("status").String()
	if !codes[status] {
		return fmt.Errorf("unknown health status %q", status)
	}
	message := ""
	if m := table.RawGetString("message"); m != lua.LNil {
		message = m.String()
	}
	return json.NewEncoder(out).Encode(map[string]string{"status": status, "message": message})
}
