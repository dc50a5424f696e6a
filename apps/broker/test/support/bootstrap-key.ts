/** The operator bootstrap key every test stack starts with (its own module: the global setup needs it too). */
export const BOOTSTRAP_KEY = 'e2e-operator-bootstrap-key-0123456789abcdef';
