// Command etcd runs the etcd server of the pinned go.etcd.io/etcd/server/v3 release, which
// publishes its entry point as a library rather than as an installable command.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
