/** Bucket bounds (seconds) of store operation durations: a local hit in µs to a timed-out call. */
export const OPERATION_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];

/** Bucket bounds (seconds) of loader durations: a fast source to a hard timeout. */
export const LOADER_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Bucket bounds (seconds) of bus lag: sub-millisecond local delivery to seconds behind. */
export const BUS_LAG_BUCKETS: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5,
];
