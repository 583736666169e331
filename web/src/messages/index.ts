// Every area's messages, registered once (main.tsx and the unit tests import this).
import './common';
import './viewer';
import './play';
import './admin';
import './auth';
