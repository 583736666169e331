// Messages of the player, preferences and sessions pages.
import { register } from '../lib/i18n';

register({ en: {}, de: {}, fr: {}, es: {}, ja: {} });
