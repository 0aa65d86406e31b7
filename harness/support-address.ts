/**
 * The support mailbox address of the test desk and the benchmarks: one constant, so the address a
 * bench appends mail to is the one the seeded desk and the service config answer on.
 */
export const SUPPORT = "support@vendor.example";
