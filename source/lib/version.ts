// berth's version, set by the build (scripts/build.mjs defines process.env.BERTH_VERSION).
export const berthVersion = process.env.BERTH_VERSION ?? '0.0.0-dev';
