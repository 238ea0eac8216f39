module github.com/erlgo/erlgo

go 1.25

require (
	github.com/coder/websocket v1.8.15
	go.uber.org/goleak v1.3.0
)

require (
	github.com/stretchr/testify v1.12.1
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
