// The pod sandbox's process on the real node: it holds the pod's namespaces and does nothing else
// until told to stop. No registry can be reached here, so the upstream pause image cannot be pulled;
// this is its behaviour (wait for SIGINT/SIGTERM, reap orphans as PID 1) in Go's standard library.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	children := make(chan os.Signal, 16)
	signal.Notify(children, syscall.SIGCHLD)
	for {
		select {
		case <-stop:
			os.Exit(0)
		case <-children:
			for {
				var status syscall.WaitStatus
				pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
			}
		}
	}
}
