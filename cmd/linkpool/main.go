// Command linkpool is a self-hosted, Cognito-compatible user pool and OAuth
// 2.0 / OpenID Connect provider with the SmartLamp Alexa skill and an Alexa
// account-linking simulator. Run `linkpool help` for the commands.
package main

import (
	"context"
	"os"

	"github.com/linkpool/linkpool/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
