// Celery's time limits, the worker's warm-shutdown grace and Redis's visibility timeout, all
// derived from one answer (the longest task) so they cannot contradict each other.

/** After the soft limit a task gets SoftTimeLimitExceeded and this long to clean up before it is killed. */
export const CLEANUP_SECONDS = 30;
/** Docker's stop grace beyond the hard limit: the worker acknowledges and exits after its last task. */
export const SHUTDOWN_MARGIN_SECONDS = 30;
/**
 * Visibility timeout beyond the hard limit. With late acknowledgement and a prefetch of one per
 * process a message is unacknowledged only while its task runs, so a task that is still running
 * is never handed out a second time.
 */
export const REDELIVERY_MARGIN_SECONDS = 60;

export interface CeleryTiming {
  /** CELERY_TASK_SOFT_TIME_LIMIT: the answer. */
  softTimeLimitSeconds: number;
  /** CELERY_TASK_TIME_LIMIT: the task's process is killed. */
  timeLimitSeconds: number;
  /** The worker's stop_grace_period: a deploy's warm shutdown lets the longest task finish. */
  stopGraceSeconds: number;
  /** Redis transport visibility_timeout: tasks of a worker that died run again after this at the latest. */
  visibilityTimeoutSeconds: number;
}

export function celeryTiming(longestTaskSeconds: number): CeleryTiming {
  const timeLimitSeconds = longestTaskSeconds + CLEANUP_SECONDS;
  return {
    softTimeLimitSeconds: longestTaskSeconds,
    timeLimitSeconds,
    stopGraceSeconds: timeLimitSeconds + SHUTDOWN_MARGIN_SECONDS,
    visibilityTimeoutSeconds: timeLimitSeconds + REDELIVERY_MARGIN_SECONDS,
  };
}
