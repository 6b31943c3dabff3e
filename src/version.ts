// certnode's version (User-Agent, --version, man page).
export const VERSION = '0.1.0';
