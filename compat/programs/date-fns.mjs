// date-fns 3.6 broke under import-in-the-middle wrapping ("Identifier '$longFormatters' has already
// been declared", getsentry/sentry-javascript#12154).
import { addDays, format, formatDistanceStrict, longFormatters } from 'date-fns';
import * as all from 'date-fns';
const base = new Date(Date.UTC(2024, 0, 1, 12));
console.log(format(addDays(base, 3), 'yyyy-MM-dd'), formatDistanceStrict(base, addDays(base, 10)), typeof longFormatters, Object.keys(all).length > 200);
