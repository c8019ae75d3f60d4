/** The bot's version, kept in step with package.json by test/build/package.test.ts. */
export const VERSION = '0.1.0';
