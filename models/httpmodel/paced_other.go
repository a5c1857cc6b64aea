//go:build !linux

package httpmodel

import (
	"context"

	"github.com/replaygate/replaygate/models"
)

// OpenPaced needs Linux's epoll and timerfd: elsewhere the engine paces
// requests itself.
func (m *Model) OpenPaced(ctx context.Context, o models.PacedOptions) (models.PacedSender, bool) {
	return nil, false
}
