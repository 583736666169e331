// Messages of the administrators' pages.
import { register } from '../lib/i18n';

register({ en: {}, de: {}, fr: {}, es: {}, ja: {} });
