import { render } from 'preact';
import './style.css';
import './messages/common';
import './messages/viewer';
import { App } from './app';
import { loadSession } from './lib/session';

render(<App />, document.getElementById('app')!);
void loadSession();
