# Builds the erlgo demo node (`erlgo node`). Used by docker-compose.yml.
FROM golang:1.25 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /erlgo ./cmd/erlgo

FROM debian:bookworm-slim
COPY --from=build /erlgo /usr/local/bin/erlgo
ENTRYPOINT ["/usr/local/bin/erlgo"]
