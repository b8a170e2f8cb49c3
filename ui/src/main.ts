import { mount } from 'svelte';
import './app.css';
import { theme } from './lib/theme.svelte';
import App from './App.svelte';

theme.apply();

const target = document.getElementById('app');
if (!target) throw new Error('#app element missing from index.html');

export default mount(App, { target });
