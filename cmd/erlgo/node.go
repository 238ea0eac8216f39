package main

import "errors"

// runNode is not implemented yet.
func runNode(args []string) error { return errors.New("node: not implemented yet") }
