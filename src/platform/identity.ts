/**
 * How aim's own requests name themselves (User-Agent). The reporter sets it; the network hooks
 * use it to leave our own traffic out of the program's evidence whichever frames sent it.
 */
export const OWN_USER_AGENT_PREFIX = 'aim-node/';

/** aim's own npm name: never listed among the program's packages. */
export const OWN_PACKAGE_NAME = 'aim';
