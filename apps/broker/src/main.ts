import { hello } from '@kyc/platform';
console.log(hello());
