import { render } from 'preact';
import './style.css';
import './messages';
import { App } from './app';
import { loadSession } from './lib/session';

render(<App />, document.getElementById('app')!);
void loadSession();
